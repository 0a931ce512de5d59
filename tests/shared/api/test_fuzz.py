"""Fuzzing: every operation of the combined OpenAPI schema, called anonymously and signed in, with
requests schemathesis generates from the schema itself (valid and invalid ones).

Whatever is sent, the API answers without a server error, with a status code the operation documents,
and with a body that matches the schema documented for that status code.

Bounded so the file takes a few minutes: few examples per operation, and derandomized, so a run is
reproducible and `make test` is never flaky; widen `max_examples` locally to search further.
Every write rolls back: all requests of one operation share a transaction the test rolls back, each
request with its own session inside it (as `get_db` gives each request its own session in production).
Mail goes to moto's SES (the `mailbox` fixture), so no operation needs to be skipped: forgot-password
and magic-link are padded to a minimum duration, which the test settings set to zero."""

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance
from sqlalchemy.orm import Session

from shared.api.app import create_app
from shared.api.routers import API_ROUTERS
from shared.db import get_db
from tests.accounts import bearer, signup

app = create_app(*API_ROUTERS)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

bounded = settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    database=None,
    # The fixtures are function-scoped on purpose: one rolled-back transaction per operation.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture
def rolled_back(engine, mailbox) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Route the app's sessions into one transaction that is rolled back after the operation's examples."""
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
        yield
    finally:
        app.dependency_overrides.clear()
        transaction.rollback()
        connection.close()


@pytest.fixture
def member_headers(rolled_back) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The Bearer header of an account registered through /v1/auth/register."""
    with TestClient(app) as client:
        return bearer(signup(client))


@schema.parametrize()
@bounded
def test_anonymous_calls_get_documented_responses(case, rolled_back) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@bounded
def test_signed_in_calls_get_documented_responses(case, member_headers) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(headers=member_headers, checks=CHECKS)
