"""The SQLAlchemy engine over pg8000, sessions for routes (`get_db`) and other handlers (`session_scope`)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Annotated

from fastapi import Depends
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

import shared.models  # noqa: F401  (registers every mapper, so relationships across domains resolve)
from shared.config import settings
from shared.database_url import normalize_database_url


def build_engine(url: str) -> Engine:
    """An engine sized for Lambda: a tiny pool, pre-ping to survive RDS Proxy idle disconnects."""
    normalized = normalize_database_url(url)
    connect_args: dict[str, object] = {"application_name": "ainav"}
    if "unix_sock" not in normalized.query:
        connect_args["timeout"] = settings.DB_CONNECT_TIMEOUT_SECONDS
    return create_engine(
        normalized,
        pool_size=settings.DB_POOL_SIZE,
        max_overflow=settings.DB_MAX_OVERFLOW,
        pool_timeout=settings.DB_POOL_TIMEOUT_SECONDS,
        pool_pre_ping=True,
        pool_recycle=300,
        connect_args=connect_args,
        echo=settings.DEBUG,
    )


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    """The process-wide engine, created on first use so that importing costs no connection."""
    return build_engine(settings.DATABASE_URL)


@lru_cache(maxsize=1)
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), autoflush=False, expire_on_commit=False)


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
