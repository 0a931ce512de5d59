import pytest
from sqlalchemy import text

from shared.database_url import normalize_database_url
from shared.db import get_db, session_scope
from shared.users.models import User


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
