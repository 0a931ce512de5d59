"""Any PostgreSQL URL as a pg8000 URL. Free of settings, so the embedded server's start-up check and the
test harness use it before anything reads the environment."""

from sqlalchemy.engine import URL, make_url

LIBPQ_SCHEMES = {"postgres", "postgresql", "postgresql+psycopg", "postgresql+psycopg2", "postgresql+asyncpg"}
DEFAULT_UNIX_SOCKET_PORT = 5432


def normalize_database_url(url: str) -> URL:
    """Turn any PostgreSQL URL (libpq style, other drivers, `?host=/socket/dir`) into a pg8000 URL."""
    parsed = make_url(url)
    if parsed.drivername in LIBPQ_SCHEMES:
        parsed = parsed.set(drivername="postgresql+pg8000")
    if parsed.drivername != "postgresql+pg8000":
        raise ValueError(f"DATABASE_URL must point at PostgreSQL, got driver {parsed.drivername!r}")
    query = dict(parsed.query)
    socket_dir = query.pop("host", None)
    if socket_dir is not None and str(socket_dir).startswith("/"):
        port = parsed.port or DEFAULT_UNIX_SOCKET_PORT
        query["unix_sock"] = f"{socket_dir}/.s.PGSQL.{port}"
        parsed = parsed.set(host=None, port=None)
    elif socket_dir is not None:
        parsed = parsed.set(host=str(socket_dir))
    return parsed.set(query=query)
