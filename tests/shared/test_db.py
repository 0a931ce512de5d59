import pytest
from sqlalchemy import text

from shared.database_url import normalize_database_url
from shared.db import get_db, session_scope
from shared.users.models import User
from tests.db_support import counted


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u:p@db.example:6543/ainav", "postgresql+pg8000://u:p@db.example:6543/ainav"),
        ("postgres://u@db.example/ainav", "postgresql+pg8000://u@db.example/ainav"),
        ("postgresql+asyncpg://u@db.example/ainav", "postgresql+pg8000://u@db.example/ainav"),
        ("postgresql+pg8000://u@db.example/ainav", "postgresql+pg8000://u@db.example/ainav"),
    ],
)
def test_any_postgres_url_becomes_a_pg8000_url(url, expected):
    assert normalize_database_url(url).render_as_string(hide_password=False) == expected


def test_a_libpq_socket_directory_becomes_a_pg8000_unix_socket():
    url = normalize_database_url("postgresql://postgres:@/ainav?host=/tmp/pg")
    assert (url.drivername, url.host, url.database) == ("postgresql+pg8000", None, "ainav")
    assert url.query == {"unix_sock": "/tmp/pg/.s.PGSQL.5432"}


def test_a_non_postgres_url_is_refused():
    with pytest.raises(ValueError, match="PostgreSQL"):
        normalize_database_url("sqlite:///ainav.db")


def test_session_scope_commits_on_success_and_rolls_back_on_error(engine):
    email = "scope@example.com"
    with pytest.raises(RuntimeError), session_scope() as session:
        session.add(User(email=email, username="scope_user"))
        session.flush()
        raise RuntimeError("boom")
    with session_scope() as session:
        assert session.query(User).filter_by(email=email).count() == 0
        session.add(User(email=email, username="scope_user"))
    with session_scope() as session:
        assert session.query(User).filter_by(email=email).count() == 1
        session.execute(text("DELETE FROM users WHERE email = :email"), {"email": email})


def test_get_db_yields_a_working_session_and_closes_it(engine):
    dependency = get_db()
    session = next(dependency)
    assert session.execute(text("select 1")).scalar_one() == 1
    with pytest.raises(StopIteration):
        next(dependency)
    assert not session.in_transaction()


def backend_pid(connection) -> int:  # type: ignore[no-untyped-def]
    return connection.execute(text("select pg_backend_pid()")).scalar_one()


def test_a_pooled_connection_closed_by_the_server_while_idle_is_replaced_before_use(engine, admin_engine):
    """RDS Proxy closes idle connections: the next checkout pings an idle one and gets a new one."""
    from shared.config import settings
    from shared.db import build_engine

    own = build_engine(engine.url.render_as_string(hide_password=False))
    try:
        with own.connect() as connection:
            first = backend_pid(connection)
        with admin_engine.connect() as admin:
            admin.execute(text("select pg_terminate_backend(:pid)"), {"pid": first})
        for record in list(own.pool._pool.queue):  # idle for longer than the threshold
            record.info["idle_since"] -= settings.DB_PING_AFTER_IDLE_SECONDS + 1
        with own.connect() as connection:
            assert backend_pid(connection) != first
    finally:
        own.dispose()


def test_a_connection_used_a_moment_ago_is_reused_without_a_ping(engine):
    from shared.db import build_engine

    own = build_engine(engine.url.render_as_string(hide_password=False))
    pings = []
    try:
        with own.connect() as connection:
            first = backend_pid(connection)
        record = own.pool._pool.queue[0]
        cursor = record.dbapi_connection.cursor
        record.dbapi_connection.cursor = lambda: pings.append(1) or cursor()  # type: ignore[method-assign]
        with own.connect() as connection:
            assert connection.exec_driver_sql("select pg_backend_pid()").scalar_one() == first
        assert len(pings) == 1  # the statement's own cursor, no ping before it
    finally:
        own.dispose()


def test_a_session_the_server_ended_or_a_reset_socket_counts_as_a_disconnect():
    """pg8000 raises a reset socket unwrapped from its first read, and a terminated session as an error
    with SQLSTATE 57P01: both drop the connection, and the first becomes a database error (a 503)."""
    from types import SimpleNamespace

    from sqlalchemy.exc import InterfaceError

    from shared.db import _server_ended_the_connection

    reset = SimpleNamespace(original_exception=ConnectionResetError(104, "reset"), statement="SELECT 1")
    reset.parameters, reset.is_disconnect = (), False
    replaced = _server_ended_the_connection(reset)
    assert isinstance(replaced, InterfaceError) and replaced.connection_invalidated and reset.is_disconnect

    terminated = Exception({"C": "57P01", "M": "terminating connection due to administrator command"})
    ended = SimpleNamespace(original_exception=terminated, is_disconnect=False)
    assert _server_ended_the_connection(ended) is None and ended.is_disconnect

    refused = SimpleNamespace(original_exception=Exception({"C": "23505"}), is_disconnect=False)
    assert _server_ended_the_connection(refused) is None and not refused.is_disconnect


def test_statements_are_converted_to_numbered_placeholders_once_and_alike(engine):
    """pg8000's placeholder rewriting, remembered per statement text once an engine exists, gives what
    pg8000 gives: `%s` outside quotes become $1, $2, ... and a quoted one stays."""
    import pg8000.legacy

    convert = pg8000.legacy.convert_paramstyle
    assert getattr(convert, "remembers", False)
    statement = "SELECT %s, '%s', id FROM users WHERE email = %s"
    assert convert("format", statement, ("a", "b")) == (
        "SELECT $1, '%s', id FROM users WHERE email = $2",
        ("a", "b"),
    )
    assert convert("format", statement, ("c", "d"))[1] == ("c", "d")  # the values are the call's own
    with session_scope() as session:
        assert session.execute(text("SELECT CAST(:v AS text)"), {"v": "x"}).scalar_one() == "x"


def test_a_statement_and_its_transactions_begin_take_one_round_trip_with_the_server(engine):
    with engine.connect() as connection, counted(connection.connection.dbapi_connection) as sock:
        assert connection.execute(text("SELECT CAST(:n AS int) + 1"), {"n": 1}).scalar_one() == 2
        assert sock.flushes == 1  # BEGIN, Parse, Describe, Bind, Execute and Sync in one train
        rows = connection.execute(
            text("SELECT n, CAST(:label AS text) FROM generate_series(1, 3) AS n"), {"label": "x"}
        ).all()
        assert [tuple(row) for row in rows] == [(1, "x"), (2, "x"), (3, "x")]
        assert connection.execute(text("SELECT 1")).scalar_one() == 1
        connection.commit()
        assert sock.flushes == 4


def test_an_error_in_a_statement_sent_in_one_train_is_raised_and_the_connection_stays_in_step(engine):
    from sqlalchemy.exc import ProgrammingError

    with engine.connect() as connection:
        # the first statement of a transaction, sent with its BEGIN
        with pytest.raises(ProgrammingError, match="division by zero"):
            connection.execute(text("SELECT 1 / CAST(:zero AS int)"), {"zero": 0})
        connection.rollback()
        with pytest.raises(ProgrammingError, match="syntax error"):  # refused at Parse
            connection.execute(text("SELEC CAST(:n AS int)"), {"n": 1})
        connection.rollback()
        connection.execute(text("SELECT CAST(:n AS int)"), {"n": 1})
        with pytest.raises(ProgrammingError, match="does not exist"):  # in the middle of a transaction
            connection.execute(text("SELECT missing FROM users WHERE email = :email"), {"email": "a@b.c"})
        connection.rollback()
        assert connection.execute(text("SELECT CAST(:n AS int) * 2"), {"n": 21}).scalar_one() == 42
        assert connection.execute(text("SELECT 'simple'")).scalar_one() == "simple"
        connection.commit()


def test_what_one_transaction_writes_is_committed_and_what_a_rolled_back_one_writes_is_not(engine):
    email = "one-train@example.com"
    with engine.connect() as connection:
        connection.execute(
            text("INSERT INTO users (id, email, username) VALUES (gen_random_uuid(), :email, 'one_train')"),
            {"email": email},
        )
        connection.rollback()
        count = text("SELECT count(*) FROM users WHERE email = :e")
        assert connection.execute(count, {"e": email}).scalar() == 0
        connection.execute(
            text("INSERT INTO users (id, email, username) VALUES (gen_random_uuid(), :email, 'one_train')"),
            {"email": email},
        )
        connection.commit()
    with session_scope() as session:
        assert session.execute(text("DELETE FROM users WHERE email = :e"), {"e": email}).rowcount == 1


def test_a_set_local_travels_with_the_next_statement_and_a_rollback_drops_it(engine):
    with engine.connect() as connection, counted(connection.connection.dbapi_connection) as sock:
        connection.execute(text("SET LOCAL statement_timeout = 1234"))
        assert connection.execute(text("SHOW statement_timeout")).scalar_one() == "1234ms"
        assert sock.flushes == 1  # BEGIN, SET LOCAL and SHOW in one train
        connection.rollback()
        connection.execute(text("SET LOCAL statement_timeout = 4321"))
        connection.rollback()  # before it was sent: nothing of it reaches the next transaction
        assert connection.execute(text("SHOW statement_timeout")).scalar_one() not in ("1234ms", "4321ms")
        connection.rollback()


def test_an_error_of_a_waiting_set_local_is_raised_by_the_statement_it_travels_with(engine):
    from sqlalchemy.exc import ProgrammingError

    with engine.connect() as connection:
        connection.execute(text("SET LOCAL statement_timeout = 'soon'"))
        with pytest.raises(ProgrammingError, match="statement_timeout"):
            connection.execute(text("SELECT CAST(:n AS int)"), {"n": 1})
        connection.rollback()
        assert connection.execute(text("SELECT CAST(:n AS int)"), {"n": 7}).scalar_one() == 7
        connection.commit()


def test_timestamps_read_back_as_the_same_instants_and_what_python_cannot_hold_as_text(engine):
    from datetime import UTC, datetime

    with engine.connect() as connection:
        connection.execute(text("SET LOCAL TimeZone = 'Asia/Kolkata'"))  # the server writes +05:30
        row = connection.execute(
            text(
                "SELECT CAST('2026-11-30 19:11:15.123456+00' AS timestamptz),"
                " CAST('2026-11-30 19:11:15+00' AS timestamptz), CAST('infinity' AS timestamptz)"
            )
        ).one()
        connection.rollback()
    assert row[0] == datetime(2026, 11, 30, 19, 11, 15, 123456, tzinfo=UTC) and row[0].utcoffset()
    assert row[1] == datetime(2026, 11, 30, 19, 11, 15, tzinfo=UTC)
    assert row[2] == "infinity"


def test_a_copy_with_a_stream_runs_after_the_begin_that_waited_for_it(engine):
    import io

    with engine.connect() as connection:
        cursor = connection.connection.dbapi_connection.cursor()
        out = io.BytesIO()
        cursor.execute("COPY (SELECT n FROM generate_series(1, 3) AS n) TO STDOUT", stream=out)
        assert out.getvalue() == b"1\n2\n3\n"
        assert connection.execute(text("SELECT CAST(:n AS int)"), {"n": 5}).scalar_one() == 5
        connection.rollback()


def delete_users(*emails: str) -> None:
    with session_scope() as session:
        session.execute(text("DELETE FROM users WHERE email = ANY(:emails)"), {"emails": list(emails)})


INSERT_USER = text(
    "INSERT INTO users (id, email, username) VALUES (gen_random_uuid(), :email, :username) RETURNING email"
)


def test_commit_with_runs_the_last_statement_and_the_commit_in_one_round_trip(engine, admin_engine):
    from shared.db import commit_with

    try:
        with session_scope() as session:
            session.execute(text("SELECT 1"))  # the transaction began before
            with counted(session.connection().connection.dbapi_connection) as sock:
                carried = {"email": "carried@example.com", "username": "carried"}
                rows = commit_with(session, INSERT_USER, carried)
            assert [tuple(row) for row in rows] == [("carried@example.com",)]
            assert sock.flushes == 1 and not session.in_transaction()
        with admin_engine.connect() as other:  # committed: another connection sees it
            count = other.execute(text("SELECT count(*) FROM users WHERE email = 'carried@example.com'"))
            assert count.scalar_one() == 1
    finally:
        delete_users("carried@example.com")


def test_commit_with_writes_what_the_session_holds_first_in_the_same_transaction(engine):
    from shared.db import commit_with

    try:
        with session_scope() as session:
            session.add(User(email="held@example.com", username="held"))
            commit_with(session, INSERT_USER, {"email": "last@example.com", "username": "last"})
        with session_scope() as session:
            emails = text("SELECT email FROM users WHERE email IN ('held@example.com', 'last@example.com')")
            assert sorted(session.scalars(emails)) == ["held@example.com", "last@example.com"]
    finally:
        delete_users("held@example.com", "last@example.com")


def test_a_failing_last_statement_rolls_its_transaction_back_and_the_connection_stays_in_step(engine):
    from sqlalchemy.exc import IntegrityError

    from shared.db import commit_with

    with session_scope() as session:
        session.add(User(email="first@example.com", username="duplicate"))
        with pytest.raises(IntegrityError):  # the username is taken by the user flushed before it
            commit_with(session, INSERT_USER, {"email": "second@example.com", "username": "duplicate"})
        session.rollback()
        assert session.scalar(text("SELECT count(*) FROM users WHERE username = 'duplicate'")) == 0
        assert session.execute(text("SELECT CAST(:n AS int)"), {"n": 3}).scalar_one() == 3


def test_commit_with_can_skip_waiting_for_the_disk_for_its_transaction_only(engine):
    from shared.db import commit_with

    setting = text("SELECT current_setting('synchronous_commit') WHERE CAST(:on AS boolean)")
    with session_scope() as session:
        assert commit_with(session, setting, {"on": True}, wait_for_the_disk=False)[0][0] == "off"
        assert session.execute(setting, {"on": True}).scalar_one() == "on"


def test_a_session_inside_its_callers_transaction_commits_with_a_savepoint_as_usual(db, admin_engine):
    from shared.db import commit_with

    commit_with(db, INSERT_USER, {"email": "inside@example.com", "username": "inside"})
    assert db.scalar(text("SELECT count(*) FROM users WHERE email = 'inside@example.com'")) == 1
    with admin_engine.connect() as other:  # the test's transaction, which rolls it back, is still open
        count = other.execute(text("SELECT count(*) FROM users WHERE email = 'inside@example.com'"))
        assert count.scalar_one() == 0


def test_a_commit_the_server_refuses_is_raised_by_the_statement_that_carried_it(engine):
    from sqlalchemy.exc import IntegrityError

    from shared.db import commit_with

    with session_scope() as session:
        session.execute(
            text("CREATE TEMP TABLE deferred (n int UNIQUE DEFERRABLE INITIALLY DEFERRED) ON COMMIT DROP")
        )
        with pytest.raises(IntegrityError, match="deferred_n_key"):  # checked at the COMMIT
            commit_with(session, text("INSERT INTO deferred VALUES (CAST(:n AS int)), (:n)"), {"n": 1})
        session.rollback()
        assert session.scalar(text("SELECT to_regclass('pg_temp.deferred') IS NULL")) is True
        assert session.execute(text("SELECT CAST(:n AS int)"), {"n": 4}).scalar_one() == 4
