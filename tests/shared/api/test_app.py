"""The app factory: one error mapping, request ids, CORS from settings, pagination."""

from typing import Annotated

import pytest
from fastapi import APIRouter, Query
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy.exc import OperationalError

from shared.api.app import create_app
from shared.api.pagination import Page, PageDep
from shared.errors import ConflictError, NotFoundError, PermissionDeniedError, RateLimitedError

probe = APIRouter(prefix="/probe")


class Signup(BaseModel):
    email: str
    password: str


@probe.get("/missing")
def missing() -> None:
    raise NotFoundError("Workflow not found")


@probe.get("/taken")
def taken() -> None:
    raise ConflictError("Username is taken")


@probe.get("/forbidden")
def forbidden() -> None:
    raise PermissionDeniedError("Superusers only")


@probe.get("/limited")
def limited() -> None:
    raise RateLimitedError("Too many runs today", retry_after_seconds=120)


@probe.get("/crash")
def crash() -> None:
    raise RuntimeError("secret internals /srv/app.py line 42")


@probe.get("/database-down")
def database_down() -> None:
    raise OperationalError("select 1", {}, ConnectionResetError("connection reset"))


@probe.post("/signup")
def signup(body: Signup) -> dict[str, str]:
    return {"email": body.email}


@probe.get("/numbers", response_model=Page[int])
def numbers(page: PageDep, limit: Annotated[int, Query()] = 45) -> Page[int]:
    values = list(range(limit))
    return Page(
        items=values[page.offset : page.offset + page.page_size],
        total=limit,
        page=page.page,
        page_size=page.page_size,
    )


@pytest.fixture
def api() -> TestClient:
    return TestClient(create_app(probe), raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("path", "status", "detail"),
    [
        ("/v1/probe/missing", 404, "Workflow not found"),
        ("/v1/probe/taken", 409, "Username is taken"),
        ("/v1/probe/forbidden", 403, "Superusers only"),
        ("/v1/probe/limited", 429, "Too many runs today"),
    ],
)
def test_domain_errors_map_to_their_status_with_a_detail(api, path, status, detail):
    response = api.get(path)
    assert response.status_code == status
    assert response.json() == {"detail": detail}


def test_rate_limits_say_when_to_retry(api):
    assert api.get("/v1/probe/limited").headers["retry-after"] == "120"


def test_an_unexpected_error_is_a_500_without_internals(api):
    response = api.get("/v1/probe/crash", headers={"X-Request-ID": "req-crash-1"})
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error", "request_id": "req-crash-1"}
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text


def test_a_lost_database_is_a_503_with_retry_after(api):
    response = api.get("/v1/probe/database-down")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert "connection reset" not in response.text


def test_validation_errors_are_422_and_never_echo_the_input(api):
    response = api.post("/v1/probe/signup", json={"email": "a@example.com", "password": 12345678})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "password"]
    assert "12345678" not in response.text


def test_malformed_json_is_a_4xx(api):
    response = api.post(
        "/v1/probe/signup", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422


def test_unknown_routes_are_404_in_the_same_shape(api):
    response = api.get("/v1/nowhere")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_every_response_carries_a_request_id(api):
    generated = api.get("/v1/probe/missing").headers["x-request-id"]
    assert len(generated) == 32
    assert (
        api.get("/v1/probe/missing", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"
    )


def test_an_unsafe_request_id_is_replaced(api):
    echoed = api.get("/v1/probe/missing", headers={"X-Request-ID": "bad id\twith spaces"}).headers[
        "x-request-id"
    ]
    assert echoed != "bad id\twith spaces"


def test_cors_allows_only_the_configured_origins(api):
    allowed = api.options(
        "/v1/probe/missing",
        headers={"Origin": "https://app.ainav.test", "Access-Control-Request-Method": "GET"},
    )
    assert allowed.headers["access-control-allow-origin"] == "https://app.ainav.test"
    refused = api.options(
        "/v1/probe/missing",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in refused.headers


def test_lists_use_the_page_envelope_with_defaults(api):
    body = api.get("/v1/probe/numbers").json()
    assert body == {"items": list(range(20)), "total": 45, "page": 1, "page_size": 20}
    assert api.get("/v1/probe/numbers?page=3").json()["items"] == list(range(40, 45))


@pytest.mark.parametrize("query", ["page_size=101", "page_size=0", "page=0", "page=abc"])
def test_page_parameters_out_of_range_are_422(api, query):
    assert api.get(f"/v1/probe/numbers?{query}").status_code == 422


def test_the_openapi_schema_and_docs_are_served(api):
    assert api.get("/openapi.json").json()["info"]["title"] == "ainav"
    assert api.get("/docs").status_code == 200
