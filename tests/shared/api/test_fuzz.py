"""Fuzzing: every operation of the combined OpenAPI schema, called anonymously, as a member and as a
superuser, with requests schemathesis generates from the schema itself (valid and invalid ones).

Whatever is sent, the API answers without a server error, with a status code the operation documents,
and with a body that matches the schema documented for that status code.

Bounded so the file takes a few minutes: few examples per operation, and derandomized, so a run is
reproducible and `make test` is never flaky; search further with AINAV_FUZZ_EXAMPLES=50 (default 8).
Every write rolls back: all requests of one operation share a transaction the test rolls back, each
request with its own session inside it (as `get_db` gives each request its own session in production).
AWS is moto's, provisioned as `make dev` provisions it (the `aws` fixture): mail, the executions queue and
the scheduler work, so a 503 is a failure like any 5xx. No operation is skipped: forgot-password and
magic-link are padded to a minimum duration, which the test settings set to zero."""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Connection, update
from sqlalchemy.orm import Session

from shared.api.app import create_app
from shared.api.routers import API_ROUTERS
from shared.db import get_db
from shared.users.models import User
from tests.accounts import bearer, signup

app = create_app(*API_ROUTERS)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
    response_headers_conformance,
]

bounded = settings(
    max_examples=int(os.environ.get("AINAV_FUZZ_EXAMPLES", "8")),
    deadline=None,
    derandomize=True,
    database=None,
    # The fixtures are function-scoped on purpose: one rolled-back transaction per operation.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


@pytest.fixture
def connection(engine, aws) -> Iterator[Connection]:  # type: ignore[no-untyped-def]
    """The app's sessions, one per request, all inside this connection's transaction, rolled back after."""
    connection = engine.connect()
    transaction = connection.begin()

    def session_per_request() -> Iterator[Session]:
        session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
        try:
            yield session
        finally:
            session.close()

    app.dependency_overrides[get_db] = session_per_request
    try:
        yield connection
    finally:
        app.dependency_overrides.clear()
        transaction.rollback()
        connection.close()


@dataclass
class Caller:
    """A signed-in caller: its Bearer header, and a workflow of its own to aim path parameters at."""

    user_id: str
    headers: dict[str, str]
    workflow_id: str

    def aim(self, case: Case) -> None:
        """Address the caller's own workflow, so signed-in calls reach past the 404 of a random id
        (anonymous calls keep the generated ids)."""
        if case.path_parameters and "workflow_id" in case.path_parameters:
            case.path_parameters["workflow_id"] = self.workflow_id


def sign_up_with_a_workflow(client: TestClient) -> Caller:
    tokens = signup(client)
    response = client.post(
        "/v1/workflows", headers=bearer(tokens), json={"name": "Fuzzed", "trigger_type": "webhook"}
    )
    assert response.status_code == 201, response.text
    return Caller(user_id=tokens["user"]["id"], headers=bearer(tokens), workflow_id=response.json()["id"])


@pytest.fixture
def member_caller(connection) -> Caller:  # type: ignore[no-untyped-def]
    """An account registered through /v1/auth/register."""
    with TestClient(app) as client:
        return sign_up_with_a_workflow(client)


@pytest.fixture
def superuser_caller(connection) -> Caller:  # type: ignore[no-untyped-def]
    """An account registered through /v1/auth/register, then made a superuser."""
    with TestClient(app) as client:
        caller = sign_up_with_a_workflow(client)
    connection.execute(update(User).where(User.id == caller.user_id).values(is_superuser=True))
    return caller


@schema.parametrize()
@bounded
def test_anonymous_calls_get_documented_responses(case, connection) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@bounded
def test_member_calls_get_documented_responses(case, member_caller) -> None:  # type: ignore[no-untyped-def]
    member_caller.aim(case)
    case.call_and_validate(headers=member_caller.headers, checks=CHECKS)


@schema.parametrize()
@bounded
def test_superuser_calls_get_documented_responses(case, superuser_caller) -> None:  # type: ignore[no-untyped-def]
    superuser_caller.aim(case)
    case.call_and_validate(headers=superuser_caller.headers, checks=CHECKS)


def documented_operations() -> Iterator[tuple[str, dict[str, Any]]]:
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", operation


def test_every_error_is_documented_with_the_detail_model() -> None:
    for label, operation in documented_operations():
        for code, response in operation["responses"].items():
            if code.startswith(("4", "5")) and label != "GET /v1/health":
                reference = response["content"]["application/json"]["schema"]["$ref"]
                assert reference == "#/components/schemas/ErrorResponse", (label, code)


def test_every_operation_documents_a_503_with_retry_after() -> None:
    for label, operation in documented_operations():
        assert "503" in operation["responses"], label
        if label != "GET /v1/health":
            assert "Retry-After" in operation["responses"]["503"]["headers"], label


def test_a_500_is_never_documented() -> None:
    for label, operation in documented_operations():
        assert "500" not in operation["responses"], label
