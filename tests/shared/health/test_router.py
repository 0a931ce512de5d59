from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from shared.api.app import create_app
from shared.health.router import router


def test_health_reports_ok_with_the_database_version(client):
    response = client.get("/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["version"]
    assert body["database"]["status"] == "ok"
    assert int(body["database"]["server_version"].split(".")[0]) >= 16


def test_health_is_503_degraded_when_the_database_does_not_answer():
    # GIVEN a session on a PostgreSQL that is not there
    unreachable = create_engine("postgresql+pg8000://nobody@127.0.0.1:1/none", connect_args={"timeout": 2})

    def unreachable_session():
        session = Session(bind=unreachable)
        try:
            yield session
        finally:
            session.close()

    app = create_app(router, sessions=unreachable_session)
    # WHEN health is asked
    response = TestClient(app).get("/v1/health")
    # THEN it says so, without a stack trace
    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
    assert response.json()["database"] == {"status": "unavailable", "server_version": None}
