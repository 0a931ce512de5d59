"""Declarative base, naming convention and mixins shared by every domain's models.

Each domain's models module imports, at its end, the models modules its foreign keys and relationships
name, so that it maps on its own: a function imports only the models its routes use, and SQLAlchemy
configures only those mappers on the first query (about 4 ms a mapper). Where two modules name each
other, one of them leaves the other to `map_with`, so that no module imports itself back.
`shared.models` imports them all, for Alembic and the tests."""

import importlib
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import CheckConstraint, DateTime, MetaData, RowMapping, event, func, inspect, text
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, Session, make_transient_to_detached, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

# Deterministic constraint and index names, so Alembic can drop what it created.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The width of every vector column: all-MiniLM-L6-v2's embeddings (shared.embedding).
EMBEDDING_DIMENSIONS = 384


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


Model = TypeVar("Model", bound=Base)


_mapped_with: set[str] = set()


def map_with(module: str) -> None:
    """Import the models `module` when SQLAlchemy configures the mappers (before the first query or
    flush), for a foreign key whose table's module imports the caller's back."""
    _mapped_with.add(module)


@event.listens_for(Mapper, "before_configured")
def _import_mapped_with() -> None:
    for module in sorted(_mapped_with):
        importlib.import_module(module)


class UUIDPrimaryKeyMixin:
    id: Mapped[uuid.UUID] = mapped_column(
        primary_key=True, default=uuid.uuid4, server_default=text("gen_random_uuid()")
    )


def utc_now() -> datetime:
    return datetime.now(UTC)


class TimestampMixin:
    # The ORM stamps rows with the clock at insert (so rows of one transaction still order by creation);
    # the server default covers plain SQL inserts.
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, server_default=func.now(), nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, server_default=func.now(), onupdate=utc_now, nullable=False
    )


def one_of(column: str, values: Iterable[str]) -> CheckConstraint:
    """CHECK (column IN (...)), named after the column: the values of a status, a type, a level."""
    listed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({listed})", name=column)


def as_loaded(session: Session, model: type[Model], row: RowMapping) -> Model:
    """The instance of `model` for a row that a Core statement returned (every column), as if `session`
    had loaded it with populate_existing: the session's own instance takes the row's values, or a
    persistent one is made from them. For the hottest statements, where an ORM-enabled statement's
    bookkeeping costs more than the statement."""
    mapper = inspect(model)
    values = {prop.key: row[prop.columns[0]] for prop in mapper.column_attrs}
    instance = session.identity_map.get(
        mapper.identity_key_from_primary_key([row[c] for c in mapper.primary_key])
    )
    if instance is not None:
        for key, value in values.items():
            set_committed_value(instance, key, value)
        return instance
    instance = model(**values)
    make_transient_to_detached(instance)  # its values become what was loaded, not changes to write
    session.add(instance)
    return instance
