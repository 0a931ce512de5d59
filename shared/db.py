"""The SQLAlchemy engine over pg8000, sessions for routes (`get_db`) and other handlers (`session_scope`)."""

import struct
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import Connection, CursorResult, Engine, Executable, Row, create_engine, event, text
from sqlalchemy.exc import DisconnectionError, InterfaceError
from sqlalchemy.orm import Session, sessionmaker

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


BEGIN = "begin transaction"  # what pg8000 sends before a transaction's first statement
# A pg8000 connection's attribute: its next statement carries the transaction's COMMIT (commit_with).
COMMIT_WITH_NEXT_STATEMENT = "commit_with_next_statement"
SET_LOCAL = "SET LOCAL "


def _message(code: bytes, body: bytes) -> bytes:
    """One message of PostgreSQL's frontend protocol: its type byte, its length, its body."""
    return code + struct.pack("!i", len(body) + 4) + body


def _parse_message(statement: bytes, oids: Any) -> bytes:
    """Parse the (NUL-terminated) statement as the unnamed statement, with the parameter types known."""
    body = bytearray(b"\x00" + statement + struct.pack("!h", len(oids)))
    for oid in oids:
        body += struct.pack("!i", 0 if oid == -1 else oid)
    return _message(b"P", bytes(body))


def _bind_message(params: Any, encoding: str) -> bytes:
    """Bind the unnamed statement's parameters, as text, to the unnamed portal; results come as text."""
    body = bytearray(b"\x00\x00" + struct.pack("!hh", 0, len(params)))
    for value in params:
        if value is None:
            body += struct.pack("!i", -1)
        else:
            data = value.encode(encoding)
            body += struct.pack("!i", len(data)) + data
    body += struct.pack("!h", 0)
    return _message(b"B", bytes(body))


def _execute_in_one_exchange(dbapi_connection: Any, record: Any) -> None:
    """Each statement in one round trip with the server, where pg8000 takes three or four.

    pg8000 runs a statement with parameters in three exchanges, waiting for each answer (Parse; then
    Describe and Bind; then Execute), asks the server to flush after each message, and sends a
    transaction's BEGIN on its own before the first statement. The protocol allows all of it in one
    message train ending in one Sync: the server answers in order, in one packet (a statement's row
    description before its rows) and, after an error, skips to the Sync, whose ReadyForQuery ends
    pg8000's reading of that answer. So here a statement goes as Parse, Bind, Describe, Execute and Sync
    under the unnamed statement (which needs no Close), and what answers nothing (a BEGIN, a SET LOCAL)
    waits to travel with the next statement; an error of one of those is raised by that statement, and a
    rollback drops what still waits. A worker's execution runs a dozen statements; behind RDS Proxy each
    round trip crosses the network. Installed on this engine's connections only (not on the target
    databases' of shared/connections); a COPY with a stream keeps pg8000's own way, after what waits.

    A transaction's last statement can carry its COMMIT (`commit_with`): with COMMIT_WITH_NEXT_STATEMENT
    set, the next statement sent is followed by a COMMIT in the same train (after an error of the
    statement, the server rolls back instead), and the commit that follows, outside any transaction,
    sends nothing."""
    from pg8000.core import EXECUTE_MSG, SYNC_MSG, Context, _flush, _write, make_params

    connection = dbapi_connection
    own_unnamed, own_commit, own_rollback = connection.execute_unnamed, connection.commit, connection.rollback
    waiting: list[str] = []  # simple statements to send before the next one
    setattr(connection, COMMIT_WITH_NEXT_STATEMENT, False)

    def encoded(text_: str) -> bytes:
        return text_.encode(connection._client_encoding) + b"\x00"

    def send_and_read(train: bytes, waited: list[str], context: Any = None) -> None:
        """Send the statements that waited, then the train (and a COMMIT, when the statement carries
        it); read every answer, so that the connection stays in step, and raise the first error."""
        answers = [Context(statement) for statement in waited] + ([context] if context is not None else [])
        if context is not None and getattr(connection, COMMIT_WITH_NEXT_STATEMENT):
            setattr(connection, COMMIT_WITH_NEXT_STATEMENT, False)
            train += _message(b"Q", encoded("commit"))
            answers.append(Context("commit"))
        _write(connection._sock, b"".join(_message(b"Q", encoded(s)) for s in waited) + train)
        _flush(connection._sock)
        errors = []
        for answer in answers:
            try:
                connection.handle_messages(answer)
            except Exception as exc:
                errors.append(exc)
        if errors:
            raise errors[0]

    def take_waiting() -> list[str]:
        statements = [s for s in waiting if s != BEGIN or not connection.autocommit]
        waiting.clear()
        return statements

    def execute_simple(statement: str) -> Any:
        context = Context(statement)
        if statement == BEGIN or statement.startswith(SET_LOCAL):
            waiting.append(statement)  # sent with the next statement
            return context
        send_and_read(_message(b"Q", encoded(statement)), take_waiting(), context)
        return context

    def execute_unnamed(statement: str, vals: Any = (), oids: Any = (), stream: Any = None) -> Any:
        if stream is not None:
            waited = take_waiting()
            if waited:
                send_and_read(b"", waited)
            return own_unnamed(statement, vals=vals, oids=oids, stream=stream)
        params = make_params(connection.py_types, vals)  # a value it cannot send fails before sending
        context = Context(statement)
        # Parse, Bind, Describe (the portal), Execute, Sync: what libpq's PQexecParams sends, so poolers
        # and proxies see the most common client's pattern
        train = b"".join(
            (
                _parse_message(encoded(statement), oids),
                _bind_message(params, connection._client_encoding),
                _message(b"D", b"P\x00"),
                EXECUTE_MSG,
            )
        )
        send_and_read(train + SYNC_MSG, take_waiting(), context)
        return context

    def commit() -> None:
        if connection._in_transaction or waiting:
            own_commit()
        # else the transaction ended with the statement that carried its COMMIT: nothing is left

    def rollback() -> None:
        waiting.clear()  # never sent; a BEGIN among them means the server has nothing to roll back
        own_rollback()

    connection.execute_simple = execute_simple
    connection.execute_unnamed = execute_unnamed
    connection.commit = commit
    connection.rollback = rollback


TIMESTAMPTZ_OID = 1184


def _parse_timestamps_quickly(dbapi_connection: Any, record: Any) -> None:
    """pg8000 parses every timestamptz with `strptime` (~45 µs, a tenth of reading an execution's row);
    `datetime.fromisoformat` reads PostgreSQL's output in a tenth of that. What it cannot read
    (infinity, years beyond 9999, BC) goes to pg8000's own parser, as before."""
    own = dbapi_connection.pg_types[TIMESTAMPTZ_OID]

    def timestamptz_in(data: str) -> Any:
        try:
            return datetime.fromisoformat(data)
        except ValueError:
            return own(data)

    dbapi_connection.pg_types[TIMESTAMPTZ_OID] = timestamptz_in


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
    event.listen(engine, "connect", _execute_in_one_exchange)
    event.listen(engine, "connect", _parse_timestamps_quickly)
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


NO_WAIT_FOR_THE_DISK = text("SET LOCAL synchronous_commit TO OFF")


def commit_without_waiting_for_the_disk(session: Session) -> None:
    """Commit what a crash of the database may lose (a queue job's state, an execution's claim, a
    result that a later commit makes durable, see commit_result): the server acknowledges before its
    WAL reaches the disk, which saves the flush (~2 ms on this project's machines, most of an
    execution's cost). The next ordinary commit on the server, such as an SQS batch's jobs'
    completion, flushes everything before it, so only the last few hundred milliseconds before a crash
    can be lost, never an earlier write out of order."""
    session.execute(NO_WAIT_FOR_THE_DISK)
    session.commit()


# session.info key: whoever owns the session makes its results durable with a later ordinary commit
DURABLE_LATER = "durable_later"


def commit_result(session: Session) -> None:
    """Commit a result: an ordinary commit, or one that does not wait for the disk when the session's
    owner makes it durable afterwards (`session.info[DURABLE_LATER]`): the worker's SQS batch, whose
    jobs' completion is an ordinary commit made before SQS deletes any of its messages. That commit
    flushes the WAL of every result before it, so a batch waits for the disk once, not once a result.
    A crash of the database in between loses those results and their claims, and SQS delivers the
    messages again, which run them again."""
    if session.info.get(DURABLE_LATER):
        commit_without_waiting_for_the_disk(session)
    else:
        session.commit()


def commit_with(
    session: Session,
    statement: Executable,
    params: dict[str, Any],
    *,
    wait_for_the_disk: bool = True,
    execution_options: dict[str, Any] | None = None,
) -> Sequence[Row[Any]]:
    """Run `statement` as the transaction's last and commit, in one round trip with the server instead
    of two: the driver sends the COMMIT behind the statement (_execute_in_one_exchange). What the session
    still holds to write is flushed first; a statement that fails rolls the transaction back and raises.
    `wait_for_the_disk=False`: as commit_without_waiting_for_the_disk. A session that does not own its
    connection's transaction (a test's, or one inside a savepoint) commits as usual. Returns the rows."""
    session.flush()
    if not wait_for_the_disk:
        session.execute(NO_WAIT_FOR_THE_DISK)
    connection = session.connection()
    driver = connection.connection.dbapi_connection
    carries = _commits_its_connection(session, connection) and hasattr(driver, COMMIT_WITH_NEXT_STATEMENT)
    if carries:
        setattr(driver, COMMIT_WITH_NEXT_STATEMENT, True)
    try:
        result = session.execute(statement, params, execution_options=execution_options or {})
        rows = [] if isinstance(result, CursorResult) and not result.returns_rows else result.all()
    finally:
        if carries:
            setattr(driver, COMMIT_WITH_NEXT_STATEMENT, False)
    session.commit()  # ends the session's transaction; the driver has nothing left to send
    return rows


def commit_result_with(session: Session, statement: Executable, params: dict[str, Any]) -> Sequence[Row[Any]]:
    """commit_result, with `statement` as the transaction's last, in the same round trip (commit_with)."""
    return commit_with(session, statement, params, wait_for_the_disk=not session.info.get(DURABLE_LATER))


def _commits_its_connection(session: Session, connection: Connection) -> bool:
    """Whether the session's commit ends its connection's transaction: the session was given the engine
    (not a connection whose transaction its caller owns) and holds no savepoint."""
    return isinstance(session.bind, Engine) and not connection.in_nested_transaction()


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
