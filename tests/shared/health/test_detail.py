"""`GET /v1/health?detail=true`: the state of every dependency, for holders of system:read only."""

from tests.accounts import bearer, signup
from tests.admins import admin_with


def test_the_detailed_health_answers_for_an_admin(client, db, aws, superuser):
    # WHEN a superuser asks for the detailed health, with moto's queue, SES and scheduler
    response = client.get("/v1/health", params={"detail": "true"}, headers=bearer(superuser))
    # THEN every part answers
    assert response.status_code == 200, response.text
    detail = response.json()["detail"]
    database = detail["database"]
    assert database["status"] == "ok"
    assert {"vector", "pg_trgm"} <= set(database["extensions"])
    assert database["migration"]
    assert detail["queue"] == {"status": "ok", "configured": True, "visible": 0, "in_flight": 0}
    assert detail["dead_letter_queue"]["status"] == "ok"
    assert detail["dead_letter_queue"]["configured"] is True
    assert detail["mail"]["status"] == "ok"
    assert detail["mail"]["sender"] == "noreply@ainav.test"
    assert isinstance(detail["mail"]["sender_verified"], bool)  # moto verifies no identity
    assert detail["embedding"]["status"] == "ok"
    assert detail["embedding"]["dimensions"] == 384
    assert detail["embedding"]["model_name"]
    assert detail["llm"]["status"] == "ok"
    assert set(detail["llm"]) >= {"configured", "default_model", "models"}
    assert detail["schedules"] == {"status": "ok", "in_scheduler": 0, "scheduled_workflows": 0}


def test_a_dependency_that_fails_is_reported_not_raised(client, db, superuser, monkeypatch):
    # GIVEN AWS refuses every connection
    from shared import aws

    def unreachable(service_name: str) -> None:
        raise ConnectionRefusedError(service_name)

    monkeypatch.setattr(aws, "probe_client", unreachable)
    monkeypatch.setattr("shared.config.settings.EXECUTIONS_QUEUE_URL", "https://sqs.example/queue")
    # WHEN the detailed health is read
    response = client.get("/v1/health", params={"detail": "true"}, headers=bearer(superuser))
    # THEN the AWS parts say so, by error type, and the rest answers
    assert response.status_code == 200, response.text
    detail = response.json()["detail"]
    assert detail["queue"] == {"status": "unavailable", "error": "ConnectionRefusedError"}
    assert detail["mail"]["status"] == detail["schedules"]["status"] == "unavailable"
    assert detail["database"]["status"] == "ok"


def test_the_detail_is_for_holders_of_system_read(client, db):
    assert client.get("/v1/health", params={"detail": "true"}).status_code == 401
    member = signup(client)
    assert client.get("/v1/health", params={"detail": "true"}, headers=bearer(member)).status_code == 403
    reader = admin_with(client, db, "system:read")
    assert client.get("/v1/health", params={"detail": "true"}, headers=bearer(reader)).status_code == 200


def test_the_plain_health_stays_public_and_short(client):
    body = client.get("/v1/health").json()
    assert body["status"] == "ok"
    assert "detail" not in body
