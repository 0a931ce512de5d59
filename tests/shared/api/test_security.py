"""Headers and leaks: security headers on every answer, CORS only for CORS_ORIGINS, a body-size cap,
and nothing secret in the logs."""

import json
import logging

import pytest

from shared.config import settings
from tests.accounts import bearer, signup
from tests.lambda_support import FakeLambdaContext, load_event, load_function

EXPECTED_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "strict-transport-security": "max-age=63072000; includeSubDomains",
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
}


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/v1/health", 200),
        ("GET", "/v1/users/me", 401),
        ("GET", "/v1/nowhere", 404),
        ("POST", "/v1/auth/login", 422),
    ],
)
def test_every_answer_carries_the_security_headers(client, method, path, status):
    response = client.request(method, path, json={} if method == "POST" else None)
    assert response.status_code == status
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers[name] == value


def test_the_docs_page_keeps_its_own_csp_and_may_not_be_framed(client):
    """The docs page's CSP (tests/shared/api/test_docs.py) is left as it is, the other headers added."""
    response = client.get("/docs")
    assert response.headers["content-security-policy"].startswith("default-src 'none'; script-src 'self' ")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"


def test_answers_to_credentialed_requests_are_never_cached(client):
    account = signup(client)
    assert client.get("/v1/users/me", headers=bearer(account)).headers["cache-control"] == "no-store"
    assert "cache-control" not in client.get("/v1/health").headers


def test_cors_answers_only_the_configured_origins(client):
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "Authorization"}
    allowed = client.options("/v1/workflows", headers={"Origin": "https://app.ainav.test", **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://app.ainav.test"
    refused = client.options("/v1/workflows", headers={"Origin": "https://evil.example", **preflight})
    assert "access-control-allow-origin" not in refused.headers
    simple = client.get("/v1/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


def test_a_body_over_the_limit_is_413_before_any_route_reads_it(client, monkeypatch):
    monkeypatch.setattr(settings, "MAX_REQUEST_BODY_BYTES", 1000)
    response = client.post(
        "/v1/auth/register", content=b"x" * 1001, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body exceeds 1000 bytes"}
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-request-id"]


def test_a_streamed_body_without_length_is_cut_off_at_the_limit(client, monkeypatch):
    monkeypatch.setattr(settings, "MAX_REQUEST_BODY_BYTES", 1000)

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(10):
            yield b"y" * 200

    response = client.post(
        "/v1/auth/register", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


def test_a_body_within_the_limit_reaches_the_route_whole(client, monkeypatch):
    body = {"email": "within@example.com", "username": "within_limit", "password": "correct horse battery"}
    monkeypatch.setattr(settings, "MAX_REQUEST_BODY_BYTES", len(json.dumps(body)))
    assert client.post("/v1/auth/register", json=body).status_code == 201


def test_requests_carrying_a_token_and_an_api_key_log_neither(client, caplog, capfd):
    """Every logger of the app at DEBUG; the last request's credentials are refused (and logged as such)."""
    account = signup(client)
    headers = bearer(account)
    key = client.post("/v1/users/me/api-keys", json={"name": "ci"}, headers=headers).json()["key"]
    token = account["access_token"]
    caplog.set_level(logging.DEBUG)
    capfd.readouterr()
    client.get("/v1/users/me", headers={"X-API-Key": key})
    client.get("/v1/users/me", headers=headers)
    client.patch("/v1/users/me", json={"username": "renamed_member"}, headers={**headers, "X-API-Key": key})
    client.post(f"/v1/workflows?token={token}&api_key={key}", json={"name": "x"}, headers=headers)
    client.get("/v1/users/me", headers={"Authorization": f"Bearer {token}x", "X-API-Key": key + "x"})
    captured = capfd.readouterr()
    # everything but the test client's own log of the URLs it sent
    server_records = [r for r in caplog.records if not r.name.startswith("httpx")]
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in server_records) + captured.out + captured.err
    assert "credentials refused" in logged  # the capture saw the app log about these very requests
    assert token not in logged
    assert key not in logged


def test_the_lambda_handler_never_logs_the_event_with_its_credentials(engine, capfd, monkeypatch):
    monkeypatch.setenv("POWERTOOLS_LOGGER_LOG_EVENT", "true")
    module = load_function("functions/users/", "app")
    event = load_event("http_api_get_users_me.json")
    secret_token, secret_key = "eyJhbGciOiJIUzI1NiJ9.e30.c2VjcmV0LXRva2Vu", "sk_live_do_not_log_this_key_0123"
    event["headers"] |= {"authorization": f"Bearer {secret_token}", "x-api-key": secret_key}
    capfd.readouterr()
    response = module.handler(event, FakeLambdaContext())
    assert response["statusCode"] == 401
    captured = capfd.readouterr()
    assert secret_token not in captured.out + captured.err
    assert secret_key not in captured.out + captured.err
