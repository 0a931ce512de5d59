"""The SQLAlchemy engine over pg8000, sessions for routes (`get_db`) and other handlers (`session_scope`)."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DisconnectionError, InterfaceError
from sqlalchemy.orm import Session, sessionmaker

import shared.models  # noqa: F401  (registers every mapper, so relationships across domains resolve)
from shared.config import settings
from shared.database_url import normalize_database_url


def _remember_converted_statements() -> None:
    """pg8000 rewrites every statement's `%s` placeholders to `$1, $2, ...` by scanning its text one
    character at a time in Python, on every execution: ~0.4 ms for the long statements of the ORM,
    the largest client-side cost of a worker's execution. The result depends only on the text for the
    `format` style SQLAlchemy uses, so each distinct statement is converted once per container."""
    import pg8000.dbapi
    import pg8000.legacy

    convert = pg8000.dbapi.convert_paramstyle
    if getattr(convert, "remembers", False):
        return

    @lru_cache(maxsize=1024)
    def converted(query: str) -> str:
        return str(convert("format", query, ())[0])

    def convert_paramstyle(style: str, query: str, args: Any) -> tuple[str, Any]:
        if style == "format":
            return converted(query), args
        return convert(style, query, args)  # type: ignore[no-any-return]

    convert_paramstyle.remembers = True  # type: ignore[attr-defined]
    pg8000.dbapi.convert_paramstyle = convert_paramstyle
    pg8000.legacy.convert_paramstyle = convert_paramstyle  # the module SQLAlchemy's dialect uses


def build_engine(url: str) -> Engine:
    """An engine sized for Lambda: a tiny pool; connections idle for DB_PING_AFTER_IDLE_SECONDS are
    pinged before use, to survive RDS Proxy's idle disconnects. One used a moment ago is not: a ping is a
    round trip, and a worker's execution checks its connection out once per transaction, several times
    in a few milliseconds (a connection that died meanwhile fails its request with a 503, and is
    replaced)."""
    _remember_converted_statements()  # here, not at import: pg8000 loads when the first engine is made
    normalized = normalize_database_url(url)
    connect_args: dict[str, object] = {"application_name": "ainav"}
    if "unix_sock" not in normalized.query:
        connect_args["timeout"] = settings.DB_CONNECT_TIMEOUT_SECONDS
    engine = create_engine(
        normalized,
        pool_size=settings.DB_POOL_SIZE,
        max_overflow=settings.DB_MAX_OVERFLOW,
        pool_timeout=settings.DB_POOL_TIMEOUT_SECONDS,
        pool_recycle=300,
        connect_args=connect_args,
        echo=settings.DEBUG,
    )
    event.listen(engine.pool, "checkin", _note_idle_since)
    event.listen(engine.pool, "checkout", _ping_if_idle)
    event.listen(engine, "handle_error", _server_ended_the_connection)
    return engine


# The server ended the session: connection exceptions (08), shut down, crashed or not accepting (57P0).
CONNECTION_ENDED_SQLSTATE_PREFIXES = ("08", "57P0")


def sqlstate_of(error: BaseException | None) -> str:
    """The PostgreSQL error code (SQLSTATE) of a driver error: pg8000 carries the server's fields."""
    fields = error.args[0] if error is not None and error.args else None
    return str(fields.get("C", "")) if isinstance(fields, dict) else ""


def _server_ended_the_connection(context: Any) -> Exception | None:
    """pg8000's dialect counts only its "network error" as a disconnect, but a server that terminated
    the session may say so with an error first, and a reset socket can reach us unwrapped from pg8000's
    first read. Either way the pool drops the connection (and the others of the pool, made to the same
    server) instead of lending it again, and the caller sees a database error (a 503), not an OSError."""
    original = context.original_exception
    if isinstance(original, OSError):
        context.is_disconnect = True
        return InterfaceError(context.statement, context.parameters, original, connection_invalidated=True)
    if sqlstate_of(original).startswith(CONNECTION_ENDED_SQLSTATE_PREFIXES):
        context.is_disconnect = True
    return None


def _note_idle_since(dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """SQLAlchemy's pessimistic disconnect handling, for idle connections only: a failed ping raises
    DisconnectionError, and the pool replaces the connection and checks the new one out instead."""
    idle_since = record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < settings.DB_PING_AFTER_IDLE_SECONDS:
        return  # a new connection, or one that answered a moment ago
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
    except Exception as exc:
        raise DisconnectionError(f"an idle pooled connection is gone: {type(exc).__name__}") from exc


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    """The process-wide engine, created on first use so that importing costs no connection."""
    return build_engine(settings.DATABASE_URL)


@lru_cache(maxsize=1)
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), autoflush=False, expire_on_commit=False)


def commit_without_waiting_for_the_disk(session: Session) -> None:
    """Commit bookkeeping that a crash of the database may lose (a queue job's state, an execution's
    claim): the server acknowledges before its WAL reaches the disk, which saves the flush (~2 ms on
    this project's machines, most of an execution's cost). The next ordinary commit of the connection,
    such as the execution's result, flushes everything before it, so only the last few hundred
    milliseconds before a crash can be lost, never an earlier write out of order."""
    session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    session.commit()


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session for one SQS record, schedule or CLI step: committed on success, rolled back on error."""
    session = get_sessionmaker()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def get_db() -> Iterator[Session]:
    """FastAPI dependency: one session per request. Services commit explicitly before the route
    returns, so a failed commit is an error response, never a 2xx for lost data; what is left
    uncommitted is rolled back on close."""
    session = get_sessionmaker()()
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_db)]
# Where an app's routes and its operation log take their session: `get_db`, or a test's own.
SessionSource = Callable[[], Iterator[Session]]
