"""Fault tests against the real engine and pool (no test session): a database connection that drops
in the middle of a request is a 503 with Retry-After, and the very next request works again."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text

from shared.api.app import create_app
from shared.api.routers import API_ROUTERS


@pytest.fixture
def live(engine) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """The app with its own sessions from get_db, as in Lambda; each pooled connection knows its pid."""

    def remember_backend_pid(dbapi_connection, connection_record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT pg_backend_pid()")
        connection_record.info["pid"] = cursor.fetchone()[0]
        cursor.close()

    event.listen(engine, "connect", remember_backend_pid)
    engine.dispose()  # pooled connections made before the listener are replaced
    try:
        with TestClient(create_app(*API_ROUTERS)) as client:
            yield client
    finally:
        event.remove(engine, "connect", remember_backend_pid)
        engine.dispose()


@contextmanager
def terminate_backend_before(engine, marker: str) -> Iterator[dict[str, int]]:  # type: ignore[no-untyped-def]
    """On the next statement containing `marker`, kill that connection's server process first (what a
    database failover or a proxy dropping the connection does), once."""
    killed: dict[str, int] = {}

    def kill(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if marker in statement and not killed:
            pid = conn.connection.info["pid"]
            with engine.connect() as admin:
                admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            killed["pid"] = pid

    event.listen(engine, "before_cursor_execute", kill)
    try:
        yield killed
    finally:
        event.remove(engine, "before_cursor_execute", kill)


def test_a_connection_dropped_mid_request_is_503_and_the_next_request_recovers(live, engine):
    assert live.get("/v1/catalog/categories").status_code == 200
    with terminate_backend_before(engine, "FROM categories") as killed:
        dropped = live.get("/v1/catalog/categories")
    assert killed, "the fault was injected"
    assert dropped.status_code == 503
    assert dropped.json() == {"detail": "The database is unavailable; retry shortly."}
    assert dropped.headers["Retry-After"] == "5"
    recovered = live.get("/v1/catalog/categories")
    assert recovered.status_code == 200


def test_connections_lost_between_requests_are_replaced_without_an_error(live, engine):
    """The pool pings a connection before lending it: a database restart costs no failed request."""
    assert live.get("/v1/catalog/categories").status_code == 200
    with engine.connect() as admin:
        admin.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle'"
            )
        )
    assert live.get("/v1/catalog/categories").status_code == 200
