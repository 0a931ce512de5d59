"""PostgreSQL as a target, over pg8000's native API: TLS as libpq's sslmode says, every statement in a
READ ONLY transaction with `SET LOCAL statement_timeout`, an untrusted query sent alone with the
extended protocol (one statement, never a list) inside `DECLARE ... CURSOR` (which takes a SELECT or
VALUES only) so that only the rows kept are fetched, and the catalog read for the analysis."""

import socket
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import pg8000.native
from pg8000.exceptions import DatabaseError, InterfaceError

from shared.config import settings
from shared.connections.targets import (
    ColumnInfo,
    Destination,
    QueryFailed,
    QueryResult,
    TableInfo,
    TargetError,
    TargetSpec,
    json_value,
)

CURSOR = "ainav_result"
QUERY_CANCELED = "57014"
# pg_hba.conf's "no encryption" refusal; libpq's `allow` then tries again with TLS
INVALID_AUTHORIZATION = "28000"
SOCKET_MARGIN_SECONDS = 5.0
IDLE_IN_TRANSACTION_MS = 60_000
SAMPLE_VALUES_KEPT = 5
SAMPLE_VALUE_CHARS = 120
# typcategory of the types whose distinct values are counted (string, numeric, date/time, boolean, enum,
# network, timespan, bit string) — a JSON document or an array is not a category
COUNTED_CATEGORIES = frozenset("SNDBEITV")
CATEGORY_VALUE_CATEGORIES = frozenset("SBE")
TABLE_TYPES = {
    "r": "table",
    "p": "partitioned table",
    "v": "view",
    "m": "materialized view",
    "f": "foreign table",
}

TABLES = """
SELECT c.oid::bigint, n.nspname::text, c.relname::text, c.relkind::text, c.reltuples::bigint,
       obj_description(c.oid, 'pg_class')
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
  AND NOT c.relispartition
  AND has_table_privilege(c.oid, 'SELECT')
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend d
    WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY n.nspname, c.relname
"""
COLUMNS = """
SELECT a.attrelid::bigint, a.attnum::int, a.attname::text, format_type(a.atttypid, a.atttypmod),
       t.typcategory::text, NOT a.attnotnull, col_description(a.attrelid, a.attnum)
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
WHERE a.attrelid::bigint = ANY(:oids) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
"""
KEYS = """
SELECT con.conrelid::bigint, con.contype::text, cn.nspname::text, cc.relname::text,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, i)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
             ORDER BY k.i),
       con.confrelid::bigint, fn.nspname::text, fc.relname::text,
       ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, i)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
             ORDER BY k.i)
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class cc ON cc.oid = con.conrelid
JOIN pg_catalog.pg_namespace cn ON cn.oid = cc.relnamespace
LEFT JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
WHERE con.contype IN ('p', 'f')
  AND (con.conrelid::bigint = ANY(:oids) OR con.confrelid::bigint = ANY(:oids))
ORDER BY con.conrelid, con.conname
"""
INDEXES = """
SELECT i.indrelid::bigint, ic.relname::text, i.indisunique, i.indisprimary,
       ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, n)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.n),
       pg_get_indexdef(i.indexrelid)
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
WHERE i.indrelid::bigint = ANY(:oids)
ORDER BY i.indrelid, ic.relname
"""


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _code(exc: DatabaseError) -> str:
    fields = exc.args[0] if exc.args else None
    return str(fields.get("C", "")) if isinstance(fields, dict) else ""


def _message(exc: DatabaseError) -> str:
    fields = exc.args[0] if exc.args else None
    if isinstance(fields, dict):
        return str(fields.get("M") or fields.get("C") or "error")
    return str(exc)


def _server_error(exc: BaseException) -> DatabaseError | None:
    """The server's own error behind a failure: pg8000 may lose it to a broken pipe while closing the
    socket the server already closed, keeping it only as the context of what it raised instead."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None or isinstance(seen, DatabaseError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _reason(exc: BaseException) -> str:
    """Why a connection failed, from the innermost cause that says something (never a password: pg8000's
    and the socket layer's messages do not hold one)."""
    while isinstance(exc, InterfaceError) and exc.__cause__ is not None:
        exc = exc.__cause__
    if isinstance(exc, TimeoutError | socket.timeout):
        return f"no answer within {settings.TARGET_CONNECT_TIMEOUT_SECONDS:g}s"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed ({exc.reason or exc.__class__.__name__})"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _tls_attempts(ssl_mode: str) -> list[Any]:
    """pg8000's `ssl_context` for each attempt, as libpq's sslmode: False no TLS; None TLS when the
    server offers it (unverified), else plain; True TLS, unverified; a context: TLS verified by it."""
    if ssl_mode == "disable":
        return [False]
    if ssl_mode == "allow":
        return [False, True]
    if ssl_mode == "prefer":
        return [None]
    if ssl_mode == "require":
        return [True]
    context = ssl.create_default_context()
    context.check_hostname = ssl_mode == "verify-full"  # verify-ca: the chain only
    return [context]


def _connect(spec: TargetSpec, destination: Destination, tls: Any) -> pg8000.native.Connection:
    timeout = settings.TARGET_CONNECT_TIMEOUT_SECONDS
    common: dict[str, Any] = {
        "user": spec.username,
        "database": spec.database,
        "password": spec.password or None,
        "application_name": "ainav",
        "timeout": timeout,
    }
    if destination.unix_socket:
        return pg8000.native.Connection(unix_sock=destination.unix_socket, ssl_context=False, **common)
    # To the checked address, not the name (DNS rebinding); the name stays the TLS server name.
    sock = socket.create_connection((destination.address, destination.port), timeout=timeout)
    try:
        return pg8000.native.Connection(
            host=destination.host, port=destination.port, sock=sock, ssl_context=tls, **common
        )
    except BaseException:
        sock.close()
        raise


def connect(spec: TargetSpec, destination: Destination) -> pg8000.native.Connection:
    """A signed-in connection, or TargetError saying why not (unreachable, TLS, credentials, database)."""
    where = destination.unix_socket or f"{destination.host}:{destination.port}"
    attempts = [False] if destination.unix_socket else _tls_attempts(spec.ssl_mode)
    for number, tls in enumerate(attempts, start=1):
        try:
            return _connect(spec, destination, tls)
        except (DatabaseError, InterfaceError, OSError) as exc:
            refusal = _server_error(exc)
            if refusal is None:
                raise TargetError(f"could not connect to {where}: {_reason(exc)}") from None
            if number < len(attempts) and _code(refusal) == INVALID_AUTHORIZATION:
                continue
            raise TargetError(f"{where} refused the connection: {_message(refusal)}") from None
    raise TargetError(f"could not connect to {where}")  # pragma: no cover (attempts is never empty)


class PostgresSession:
    """One READ ONLY transaction; `catalog` for our own queries, `fetch` for untrusted ones."""

    def __init__(self, connection: pg8000.native.Connection, statement_timeout_ms: int) -> None:
        self.connection = connection
        self.statement_timeout_ms = statement_timeout_ms
        self.server_version = str(connection.parameter_statuses.get("server_version", ""))

    def _failed(self, exc: BaseException) -> QueryFailed:
        if isinstance(exc, DatabaseError) and _code(exc) == QUERY_CANCELED:
            return QueryFailed(
                f"the query ran longer than {self.statement_timeout_ms} ms and was cancelled", timed_out=True
            )
        if isinstance(exc, DatabaseError):
            return QueryFailed(_message(exc))
        return QueryFailed(f"the database connection failed: {_reason(exc)}", timed_out=True)

    def catalog(self, sql: str, **params: Any) -> list[list[Any]]:
        try:
            return self.connection.run(sql, **params) or []
        except (DatabaseError, InterfaceError, OSError) as exc:
            raise self._failed(exc) from None

    def fetch(self, sql: str, *, max_rows: int) -> QueryResult:
        started = time.monotonic()
        try:
            self.connection.execute_unnamed(f"DECLARE {CURSOR} NO SCROLL CURSOR FOR {sql}")
            context = self.connection.execute_unnamed(f"FETCH FORWARD {int(max_rows) + 1} FROM {CURSOR}")
            self.connection.execute_simple(f"CLOSE {CURSOR}")
        except (DatabaseError, InterfaceError, OSError) as exc:
            raise self._failed(exc) from None
        elapsed_ms = round((time.monotonic() - started) * 1000)
        rows = context.rows or []
        return QueryResult(
            columns=[str(column["name"]) for column in context.columns or []],
            rows=[[json_value(value) for value in row] for row in rows[:max_rows]],
            truncated=len(rows) > max_rows,
            execution_time_ms=elapsed_ms,
        )

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A failing statement inside undoes only itself, not the transaction."""
        self.catalog("SAVEPOINT ainav_step")
        try:
            yield
        except QueryFailed:
            self.catalog("ROLLBACK TO SAVEPOINT ainav_step")
            raise
        self.catalog("RELEASE SAVEPOINT ainav_step")


class PostgresDialect:
    name = "postgresql"
    sqlglot_dialect = "postgres"

    @contextmanager
    def read_only(
        self, spec: TargetSpec, destination: Destination, *, statement_timeout_ms: int
    ) -> Iterator[PostgresSession]:
        connection = connect(spec, destination)
        try:
            # a server that stops answering must not hold the worker past the statement timeout
            connection._usock.settimeout(statement_timeout_ms / 1000 + SOCKET_MARGIN_SECONDS)
            connection.execute_simple("BEGIN TRANSACTION READ ONLY")
            connection.execute_simple(f"SET LOCAL statement_timeout = {int(statement_timeout_ms)}")
            connection.execute_simple(
                f"SET LOCAL idle_in_transaction_session_timeout = {IDLE_IN_TRANSACTION_MS}"
            )
            yield PostgresSession(connection, statement_timeout_ms)
        except (DatabaseError, InterfaceError, OSError) as exc:
            raise TargetError(f"the database failed: {_reason(exc)}") from None
        finally:
            with suppress(DatabaseError, InterfaceError, OSError):
                connection.execute_simple("ROLLBACK")
            connection.close()

    def list_tables(self, session: PostgresSession, *, max_tables: int) -> list[TableInfo]:
        tables: dict[int, TableInfo] = {}
        for oid, schema, name, kind, estimate, comment in session.catalog(
            TABLES + " LIMIT :limit", limit=max_tables
        ):
            tables[oid] = TableInfo(
                schema=schema,
                name=name,
                table_type=TABLE_TYPES.get(kind, "table"),
                row_count=estimate if estimate is not None and estimate >= 0 else None,
                comment=comment,
                columns=[],
            )
        if not tables:
            return []
        oids = list(tables)
        for oid, position, name, data_type, category, nullable, comment in session.catalog(
            COLUMNS, oids=oids
        ):
            tables[oid].columns.append(
                ColumnInfo(
                    name=name,
                    data_type=data_type,
                    type_category=category,
                    is_nullable=nullable,
                    position=position,
                    comment=comment,
                )
            )
        for row in session.catalog(KEYS, oids=oids):
            self._add_key(tables, *row)
        for oid, index_name, unique, primary, columns, definition in session.catalog(INDEXES, oids=oids):
            tables[oid].indexes.append(
                {
                    "name": index_name,
                    "columns": columns,
                    "unique": unique,
                    "primary": primary,
                    "definition": definition,
                }
            )
        return list(tables.values())

    @staticmethod
    def _add_key(
        tables: dict[int, TableInfo],
        oid: int,
        kind: str,
        schema: str,
        name: str,
        columns: list[str],
        ref_oid: int | None,
        ref_schema: str | None,
        ref_table: str | None,
        ref_columns: list[str],
    ) -> None:
        table = tables.get(oid)
        if kind == "p" and table is not None:
            table.primary_key = columns
            for column in table.columns:
                column.is_primary_key = column.name in columns
            return
        if kind != "f":
            return
        if table is not None:
            table.foreign_keys.append(
                {"columns": columns, "schema": ref_schema, "table": ref_table, "ref_columns": ref_columns}
            )
            for column in table.columns:
                if column.name in columns:
                    referenced = ref_columns[columns.index(column.name)]
                    column.foreign_key_ref = f"{ref_schema}.{ref_table}.{referenced}"
        referenced_table = tables.get(ref_oid) if ref_oid is not None else None
        if referenced_table is not None:
            referenced_table.referenced_by.append({"schema": schema, "table": name, "columns": columns})

    def profile(
        self,
        session: PostgresSession,
        table: TableInfo,
        *,
        sample_size: int,
        stats_rows: int,
        category_threshold: int,
    ) -> None:
        if not table.columns:
            return
        relation = f"{quote(table.schema)}.{quote(table.name)}"
        # every name below is a quoted identifier of the catalog, every number an int
        bounded = f"(SELECT * FROM {relation} LIMIT {int(stats_rows)}) AS bounded"  # noqa: S608
        with session.savepoint():
            self._count(session, table, bounded, stats_rows)
        for column in table.columns:
            if (
                column.type_category in CATEGORY_VALUE_CATEGORIES
                and column.distinct_count is not None
                and 0 < column.distinct_count <= category_threshold
            ):
                with session.savepoint():
                    values = session.catalog(
                        f"SELECT {quote(column.name)}::text FROM {bounded} "  # noqa: S608
                        f"WHERE {quote(column.name)} IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 "
                        f"LIMIT {int(category_threshold)}"
                    )
                column.categorical_values = [row[0] for row in values]
        selected = ", ".join(
            f"left({quote(column.name)}::text, {SAMPLE_VALUE_CHARS})" for column in table.columns
        )
        with session.savepoint():
            rows = session.catalog(f"SELECT {selected} FROM {relation} LIMIT {int(sample_size)}")  # noqa: S608
        for index, column in enumerate(table.columns):
            seen = dict.fromkeys(row[index] for row in rows if row[index] not in (None, ""))
            column.sample_values = list(seen)[:SAMPLE_VALUES_KEPT]

    @staticmethod
    def _count(session: PostgresSession, table: TableInfo, bounded: str, stats_rows: int) -> None:
        """Rows, and each column's nulls and (for comparable types) distinct values, in one pass over at
        most `stats_rows` rows."""
        parts = ["count(*)"]
        for column in table.columns:
            name = quote(column.name)
            parts.append(f"count(*) - count({name})")
            parts.append(
                f"count(DISTINCT {name}::text)"
                if column.type_category in COUNTED_CATEGORIES
                else "NULL::bigint"
            )
        [row] = session.catalog(f"SELECT {', '.join(parts)} FROM {bounded}")  # noqa: S608
        counted = row[0]  # exact below the bound; above it, the catalog's estimate if larger
        table.row_count = counted if counted < stats_rows else max(counted, table.row_count or 0)
        for index, column in enumerate(table.columns):
            column.null_count, column.distinct_count = row[1 + 2 * index], row[2 + 2 * index]


POSTGRESQL = PostgresDialect()
