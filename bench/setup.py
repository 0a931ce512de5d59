"""What every benchmark does before it measures: quiet Lambda tooling, a migrated database (the
embedded one under .local/bench-pg unless DATABASE_URL names another), and, when asked, the catalog seed;
and the API Gateway events the benchmarks send to a function's handler (`api_gateway_event`).

Call `prepare()` before importing anything from `shared`: the settings read the environment once."""

import json
import os
import sys
import warnings
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
BENCH_PG_DIR = REPO_ROOT / ".local" / "bench-pg"
BENCH_DATABASE = "ainav_bench"


def prepare(*, seed_catalog: bool = False, **environment: str) -> str:
    """Set up the environment (plus `environment`, which wins over the defaults but not over what the
    caller exported), start and migrate the database, and return its URL."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    defaults = {
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "ainav-bench",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        **environment,
    }
    for name, value in defaults.items():
        os.environ.setdefault(name, value)
    if not os.environ.get("DATABASE_URL"):
        from infra.local.postgres import start_embedded_postgres

        os.environ["DATABASE_URL"] = start_embedded_postgres(BENCH_PG_DIR, database=BENCH_DATABASE)
    warnings.filterwarnings("ignore")
    from shared.migrations.runner import upgrade_head

    upgrade_head()
    if seed_catalog:
        from infra.seed.loader import load_catalog
        from shared.db import session_scope

        with session_scope() as session:
            load_catalog(session)
    return os.environ["DATABASE_URL"]


def api_gateway_event(
    method: str,
    path: str,
    *,
    route_key: str,
    query: dict[str, str] | None = None,
    body: object | None = None,
    headers: dict[str, str] | None = None,
) -> dict:
    """An HTTP API (v2) event for `method path`, made from the health sample of tests/events; `body` is
    sent as JSON."""
    event = json.loads((REPO_ROOT / "tests" / "events" / "http_api_get_health.json").read_text())
    query = query or {}
    event.update(
        rawPath=path,
        rawQueryString="&".join(f"{k}={v}" for k, v in query.items()),
        queryStringParameters=query,
        routeKey=route_key,
    )
    event["requestContext"]["http"].update(method=method, path=path)
    event["headers"].update(headers or {})
    if body is not None:
        event.update(body=json.dumps(body), isBase64Encoded=False)
        event["headers"]["content-type"] = "application/json"
    return event


class RoundTrips:
    """Counts the times the app's database connections wait for the server (every request ends in a
    flush of the connection's socket): `count_round_trips()` starts counting on new connections."""

    def __init__(self) -> None:
        self.count = 0

    def wrap(self, dbapi_connection: object, record: object) -> None:
        counter, sock = self, dbapi_connection._sock  # type: ignore[attr-defined]

        class CountedSocket:
            def flush(self) -> None:
                counter.count += 1
                sock.flush()

            def __getattr__(self, name: str) -> object:
                return getattr(sock, name)

        dbapi_connection._sock = CountedSocket()  # type: ignore[attr-defined]


def count_round_trips() -> RoundTrips:
    """Count the round trips of the app's engine from now on (its pooled connections are replaced)."""
    from sqlalchemy import event

    from shared.db import get_engine

    round_trips = RoundTrips()
    engine = get_engine()
    engine.dispose()
    event.listen(engine, "connect", round_trips.wrap)
    return round_trips
