"""Database helpers for tests: hand an app the test's own session."""

from collections.abc import Iterator

from sqlalchemy.orm import Session

from shared.db import SessionSource


def sessions_of(session: Session) -> SessionSource:
    """A session source that gives every request (and the operation log) the test's session, which
    the test's rolled-back transaction owns: nothing here closes it."""

    def source() -> Iterator[Session]:
        yield session

    return source
