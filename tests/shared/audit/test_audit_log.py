"""The operation log: every mutating request leaves a row; superusers read them at /v1/admin/audit-log."""

from sqlalchemy import select

from shared.audit.models import OperationLog
from tests.accounts import bearer, signup
from tests.graphs import greeting_graph


def rows(db, **where):  # type: ignore[no-untyped-def]
    query = select(OperationLog).order_by(OperationLog.id)
    for name, value in where.items():
        query = query.where(getattr(OperationLog, name) == value)
    return list(db.scalars(query))


def test_a_mutating_request_is_logged_with_who_what_where_and_how_long(client, db):
    account = signup(client)
    response = client.post(
        "/v1/workflows",
        headers={**bearer(account), "X-Request-ID": "trace-create-1"},
        json={"name": "Logged", "graph_json": greeting_graph()},
    )
    assert response.status_code == 201
    [entry] = rows(db, trace_id="trace-create-1")
    assert entry.user_id is not None and entry.username == account["user"]["username"]
    assert (entry.method, entry.path, entry.title) == ("POST", "/v1/workflows", "create_workflow")
    assert (entry.status, entry.code, entry.msg) == (201, "ok", None)
    assert entry.ip == "testclient"
    assert entry.cost_time > 0
    assert entry.opera_time is not None


def test_reads_are_not_logged(client, db):
    account = signup(client)
    client.get("/v1/users/me", headers={**bearer(account), "X-Request-ID": "trace-read-1"})
    assert rows(db, trace_id="trace-read-1") == []


def test_a_refused_request_is_logged_with_the_message_the_caller_got(client, db):
    response = client.post("/v1/workflows", headers={"X-Request-ID": "trace-anon-1"}, json={})
    assert response.status_code == 401
    [entry] = rows(db, trace_id="trace-anon-1")
    assert (entry.user_id, entry.status, entry.code, entry.msg) == (
        None,
        401,
        "unauthenticated",
        "Not authenticated",
    )


def test_validation_failures_are_logged_with_where_and_what(client, db):
    account = signup(client)
    client.post(
        "/v1/workflows", headers={**bearer(account), "X-Request-ID": "trace-bad-1"}, json={"name": ""}
    )
    [entry] = rows(db, trace_id="trace-bad-1")
    assert entry.status == 422 and entry.code == "invalid_input"
    assert "body.name" in entry.msg


def test_parameters_are_kept_but_secrets_and_bodies_never(client, db):
    account = signup(client)
    workflow = client.post(
        "/v1/workflows", headers=bearer(account), json={"name": "Secret", "graph_json": greeting_graph()}
    ).json()
    client.patch(
        f"/v1/workflows/{workflow['id']}?token=abc123&api_key=sk_zzz&page=2",
        headers={**bearer(account), "X-Request-ID": "trace-args-1"},
        json={"description": "body text that must not be stored"},
    )
    [entry] = rows(db, trace_id="trace-args-1")
    assert entry.args == {
        "workflow_id": workflow["id"],
        "token": "[redacted]",
        "api_key": "[redacted]",
        "page": "2",
    }
    assert "body text" not in str(entry.__dict__)


def test_superusers_read_the_log_newest_first_filtered_and_paged(client, db, superuser):
    account = signup(client)
    for n in range(3):
        client.post(
            "/v1/workflows",
            headers={**bearer(account), "X-Request-ID": f"trace-page-{n}"},
            json={"name": f"Page {n}", "graph_json": greeting_graph()},
        )
    client.post("/v1/workflows", json={})  # anonymous: another user's row
    answer = client.get(
        "/v1/admin/audit-log",
        params={"username": account["user"]["username"], "path_prefix": "/v1/workflows", "page_size": 2},
        headers=bearer(superuser),
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["total"] == 3 and body["page_size"] == 2
    assert [item["trace_id"] for item in body["items"]] == ["trace-page-2", "trace-page-1"]
    second = client.get(
        "/v1/admin/audit-log",
        params={"username": account["user"]["username"], "page": 2, "page_size": 2},
        headers=bearer(superuser),
    ).json()
    assert [item["trace_id"] for item in second["items"]] == ["trace-page-0"]
    by_status = client.get("/v1/admin/audit-log", params={"status": 401}, headers=bearer(superuser)).json()
    assert by_status["total"] >= 1 and {item["status"] for item in by_status["items"]} == {401}
    by_trace = client.get(
        "/v1/admin/audit-log", params={"trace_id": "trace-page-1"}, headers=bearer(superuser)
    ).json()
    assert [item["method"] for item in by_trace["items"]] == ["POST"]


def test_the_log_is_for_superusers_only(client):
    assert client.get("/v1/admin/audit-log").status_code == 401
    assert client.get("/v1/admin/audit-log", headers=bearer(signup(client))).status_code == 403


def test_bad_filters_are_422(client, superuser):
    for params in ({"status": 99}, {"method": "GET"}, {"since": "yesterday"}, {"user_id": "nope"}):
        assert client.get("/v1/admin/audit-log", params=params, headers=bearer(superuser)).status_code == 422


def test_a_failure_to_write_the_log_never_fails_the_request(client, db, monkeypatch):
    from shared.audit import service as audit_service

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("audit store down")

    monkeypatch.setattr(audit_service, "record", broken)
    account = signup(client)
    response = client.post(
        "/v1/workflows",
        headers=bearer(account),
        json={"name": "Still created", "graph_json": greeting_graph()},
    )
    assert response.status_code == 201


def test_a_body_refused_by_the_size_cap_is_logged_as_413(client, db, monkeypatch):
    # GIVEN a small body-size cap
    from shared.config import settings

    monkeypatch.setattr(settings, "MAX_REQUEST_BODY_BYTES", 1000)
    # WHEN a POST sends more, whether it says so up front or streams it
    declared = client.post(
        "/v1/workflows",
        content=b"x" * 1001,
        headers={"content-type": "application/json", "X-Request-ID": "trace-too-large-1"},
    )
    streamed = client.post(
        "/v1/workflows",
        content=(b"y" * 200 for _ in range(10)),
        headers={"content-type": "application/json", "X-Request-ID": "trace-too-large-2"},
    )
    # THEN both are refused and each leaves an operation-log row saying so
    assert (declared.status_code, streamed.status_code) == (413, 413)
    for trace_id in ("trace-too-large-1", "trace-too-large-2"):
        [entry] = rows(db, trace_id=trace_id)
        assert (entry.method, entry.path, entry.status, entry.code) == (
            "POST",
            "/v1/workflows",
            413,
            "payload_too_large",
        )
        assert entry.msg == "The request body exceeds 1000 bytes"
