"""Reaching a user's database (a "target"): where it is, checked by the SSRF guard; how to speak to it
(a `TargetDialect`); and what comes back. PostgreSQL is the one dialect (`shared.connections.postgres`);
MySQL would add a module implementing `TargetDialect` and register it in `dialect_for`.

The host is resolved and each address checked: private, loopback, link-local and metadata addresses
are refused unless OUTBOUND_ALLOWED_HOSTS opens them, and the connection goes to the checked address,
never to the name again (DNS rebinding). In development and tests only, a unix socket directory (the
embedded server's) and loopback addresses are allowed too; never in production or staging. Every
statement runs in a READ ONLY transaction with a statement timeout. Passwords are never logged, and
never part of a message."""

import ipaddress
import math
import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy.engine import make_url

from shared import crypto, outbound
from shared.config import settings
from shared.connections.models import DatabaseConnection

LOCAL_TARGET_ENVIRONMENTS = ("development", "test")
MAX_CELL_CHARS = 1000


class TargetError(Exception):
    """The database could not be reached, or refused the sign-in; the message is safe to show."""


class TargetRefused(TargetError):
    """The destination is not allowed (the SSRF guard, or the platform's own database)."""


class QueryFailed(TargetError):
    """A statement ran and failed: a syntax error, a missing column, a timeout."""

    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


@dataclass(frozen=True)
class TargetSpec:
    """How to sign in to a target; the password is the decrypted one, held only while connecting."""

    dialect: str
    host: str
    port: int
    database: str
    username: str
    password: str | None = field(repr=False)
    ssl_mode: str = "prefer"


@dataclass(frozen=True)
class Destination:
    """Where to connect: an address the guard checked (TCP), or a unix socket (development and tests)."""

    host: str  # as given: the TLS server name
    port: int
    address: str | None = None
    unix_socket: str | None = None


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool  # more rows than the cap existed
    execution_time_ms: int


@dataclass
class ColumnInfo:
    name: str
    data_type: str
    type_category: str  # PostgreSQL's typcategory: N numeric, S string, D date/time, B boolean, E enum, U ...
    is_nullable: bool
    position: int
    comment: str | None = None
    is_primary_key: bool = False
    foreign_key_ref: str | None = None  # schema.table.column
    distinct_count: int | None = None
    null_count: int | None = None
    categorical_values: list[str] | None = None
    sample_values: list[str] = field(default_factory=list)


@dataclass
class TableInfo:
    schema: str
    name: str
    table_type: str  # table | view | materialized view | foreign table | partitioned table
    row_count: int | None
    comment: str | None
    columns: list[ColumnInfo]
    primary_key: list[str] = field(default_factory=list)
    foreign_keys: list[dict[str, Any]] = field(default_factory=list)  # {columns, schema, table, ref_columns}
    referenced_by: list[dict[str, Any]] = field(default_factory=list)  # {schema, table, columns}
    indexes: list[dict[str, Any]] = field(default_factory=list)  # {name, columns, unique, definition}

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"


class TargetSession(Protocol):
    """One READ ONLY transaction on a target, rolled back when it ends."""

    server_version: str

    def catalog(self, sql: str, **params: Any) -> list[list[Any]]:
        """Rows of one of our own (trusted, parameterised) catalog or statistics queries."""
        ...

    def fetch(self, sql: str, *, max_rows: int) -> QueryResult:
        """Run one untrusted read-only query (already checked by the SQL guard), keeping `max_rows`."""
        ...


class TargetDialect(Protocol):
    name: str
    sqlglot_dialect: str  # how shared.connections.sql_guard parses its SQL

    def read_only(
        self, spec: TargetSpec, destination: Destination, *, statement_timeout_ms: int
    ) -> AbstractContextManager[TargetSession]: ...

    def list_tables(self, session: TargetSession, *, max_tables: int) -> list[TableInfo]:
        """The tables and views the user may read, with their columns, keys, relationships and indexes
        (from the catalog: a few queries whatever the size)."""
        ...

    def profile(
        self,
        session: TargetSession,
        table: TableInfo,
        *,
        sample_size: int,
        stats_rows: int,
        category_threshold: int,
    ) -> None:
        """Fill in a table's row count, each column's distinct and null counts (over at most `stats_rows`
        rows), the values of columns with at most `category_threshold` distinct values, and sample values
        (from `sample_size` rows)."""
        ...


def dialect_for(name: str) -> TargetDialect:
    if name == "postgresql":
        from shared.connections.postgres import POSTGRESQL

        return POSTGRESQL
    raise TargetError(f"databases of type {name!r} are not supported yet")


def local_targets_allowed() -> bool:
    """The embedded server's unix socket and loopback addresses are targets in development and tests only:
    in AWS, loopback is the Lambda itself and a socket path means nothing."""
    return settings.ENVIRONMENT in LOCAL_TARGET_ENVIRONMENTS


def is_socket_directory(host: str) -> bool:
    return host.startswith("/")


def check_destination(host: str, port: int) -> Destination:
    """Where a connection to host:port must go, or TargetRefused saying why it may not."""
    if is_socket_directory(host):
        if not local_targets_allowed():
            raise TargetRefused("a unix socket is a target in development only; give a host name")
        return Destination(host=host, port=port, unix_socket=f"{host.rstrip('/')}/.s.PGSQL.{port}")
    try:
        address = outbound.check_address(host, port, allow_loopback=local_targets_allowed())
    except outbound.OutboundError as exc:
        raise TargetRefused(str(exc)) from None
    return Destination(host=host, port=port, address=address)


def refuse_the_platform_database(destination: Destination, database: str) -> None:
    """Nobody analyses or queries ainav's own database, whatever the environment."""
    own = make_url(settings.DATABASE_URL)
    own_socket_dir = own.query.get("host")
    if own.database != database:
        return
    if destination.unix_socket and isinstance(own_socket_dir, str):
        same = destination.host.rstrip("/") == own_socket_dir.rstrip("/")
    elif destination.address and own.host:
        same = destination.port == (own.port or 5432) and _addresses_of(own.host) & {destination.address}
    else:
        same = False
    if same:
        raise TargetRefused("this is the platform's own database")


def _addresses_of(host: str) -> set[str]:
    try:
        return {str(ipaddress.ip_address(host))}
    except ValueError:
        pass
    try:
        return {outbound.check_address(host, 5432, allow_loopback=True)}
    except outbound.OutboundError:
        return set()


@dataclass(frozen=True)
class Target:
    """A connection made ready to open: its dialect, how to sign in, and where to connect."""

    dialect: TargetDialect
    spec: TargetSpec
    destination: Destination

    def read_only(self, *, statement_timeout_ms: int) -> AbstractContextManager[TargetSession]:
        return self.dialect.read_only(self.spec, self.destination, statement_timeout_ms=statement_timeout_ms)


def target_of(connection: DatabaseConnection) -> Target:
    """The connection's target, its host checked now (a name may resolve elsewhere than it did when it
    was saved), or TargetRefused."""
    destination = check_destination(connection.host, connection.port)
    refuse_the_platform_database(destination, connection.database)
    try:
        password = crypto.decrypt(connection.encrypted_password) if connection.encrypted_password else None
    except ValueError:
        raise TargetError("the stored password cannot be decrypted (the key changed); set it again") from None
    spec = TargetSpec(
        dialect=connection.dialect,
        host=connection.host,
        port=connection.port,
        database=connection.database,
        username=connection.username,
        password=password,
        ssl_mode=connection.ssl_mode,
    )
    return Target(dialect_for(connection.dialect), spec, destination)


def json_value(value: Any) -> Any:
    """A value of a result row as JSON: numbers stay numbers, times become ISO 8601, long text is cut."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            return str(value)
        return int(value) if value == value.to_integral_value() and abs(value) < 2**53 else float(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return "\\x" + bytes(value)[: MAX_CELL_CHARS // 2].hex()
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    text = str(value)
    return text if len(text) <= MAX_CELL_CHARS else text[:MAX_CELL_CHARS] + "…"
