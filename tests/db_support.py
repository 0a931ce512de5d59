"""Database helpers for tests: hand an app the test's own session; count a connection's round trips."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from shared.db import SessionSource


def sessions_of(session: Session) -> SessionSource:
    """A session source that gives every request (and the operation log) the test's session, which
    the test's rolled-back transaction owns: nothing here closes it."""

    def source() -> Iterator[Session]:
        yield session

    return source


class CountedSocket:
    """A pg8000 connection's socket file that counts the times the client waits for the server:
    every request ends in a flush, and every answer is read after one."""

    def __init__(self, sock) -> None:  # type: ignore[no-untyped-def]
        self.sock, self.flushes = sock, 0

    def flush(self) -> None:
        self.flushes += 1
        self.sock.flush()

    def __getattr__(self, name):  # type: ignore[no-untyped-def]
        return getattr(self.sock, name)


@contextmanager
def counted(driver) -> Iterator[CountedSocket]:  # type: ignore[no-untyped-def]
    """Count the round trips of a pg8000 connection (`Connection.connection.dbapi_connection`) while
    the block runs; its socket is put back afterwards, whatever happens."""
    sock = driver._sock = CountedSocket(driver._sock)
    try:
        yield sock
    finally:
        driver._sock = sock.sock
