"""`make dev`: PostgreSQL, emulated AWS, migrations and every API router on one machine.

Order matters: the environment is prepared first, then `shared` is imported, so its settings see it."""

import contextlib
import logging
import os
import signal
import sys
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from infra.local.options import LocalOptions

if TYPE_CHECKING:
    from moto.server import ThreadedMotoServer

    from infra.local.loops import Loop
    from infra.local.outbox import Outbox

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
logger = logging.getLogger("ainav.local")

DEFAULT_SENDER = "noreply@ainav.local"
# Requests served at once, and worker threads for the sync routes (anyio's default is 40). A request
# waiting for a pooled connection (DB_POOL_SIZE + DB_MAX_OVERFLOW) keeps its worker thread, and one that
# holds a connection needs a thread again for its next step (the route after a dependency that queried,
# the response's validation): with fewer threads than requests, the waiters can take every thread and the
# whole process stalls until DB_POOL_TIMEOUT_SECONDS, then answers 503. As many threads as requests
# admitted (uvicorn answers 503 at once beyond that) rules this out.
API_CONCURRENCY = 200


def step(message: str) -> None:
    print(f"[ainav] {message}", flush=True)


def prepare_environment(options: LocalOptions) -> "ThreadedMotoServer":
    """Start PostgreSQL and moto, and point the settings of `shared` at them."""
    from infra.local import aws, postgres

    if options.database_url is None:
        step(f"starting PostgreSQL 18 (pgvector, pg_trgm) with data in {options.pg_data_dir} ...")
        os.environ["DATABASE_URL"] = postgres.start_embedded_postgres(options.pg_data_dir)
    else:
        step("using the PostgreSQL of DATABASE_URL; checking its vector support ...")
        postgres.check_vector_support(options.database_url)
    # One process serves every function here (API threads, the worker and scheduler loops), where AWS
    # gives each Lambda its own one-connection pool; DB_POOL_SIZE / DB_MAX_OVERFLOW override this.
    os.environ.setdefault("DB_POOL_SIZE", "5")
    os.environ.setdefault("DB_MAX_OVERFLOW", "10")

    step(f"starting emulated AWS (SQS, SES v2, EventBridge Scheduler, S3) on {options.aws_endpoint_url} ...")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        os.environ[name] = "testing"
    os.environ.setdefault("AWS_REGION", "us-east-1")
    os.environ["AWS_ENDPOINT_URL"] = options.aws_endpoint_url
    os.environ.setdefault("MAIL_FROM_EMAIL", DEFAULT_SENDER)
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "ainav-local")
    moto_server = aws.start_moto_server(options.aws_port)
    resources = aws.provision(
        options.aws_endpoint_url,
        os.environ["AWS_REGION"],
        sender=os.environ["MAIL_FROM_EMAIL"],
        schedule_group=os.environ.get("SCHEDULE_GROUP_NAME", "ainav"),
    )
    os.environ.update(resources.as_settings())
    os.environ["SES_CONFIGURATION_SET"] = aws.SES_CONFIGURATION_SET
    return moto_server


def shown_database_url() -> str:
    """DATABASE_URL as the banner shows it: a password, if any, hidden."""
    from sqlalchemy.engine import make_url

    return make_url(os.environ["DATABASE_URL"]).render_as_string(hide_password=True)


def build_server_class() -> type:
    import uvicorn

    class QuietServer(uvicorn.Server):
        """uvicorn re-raises the Ctrl-C it caught once it has shut down; here the first Ctrl-C (or
        SIGTERM) ends the stack in order and the process exits 0. It runs the sync routes on as many
        threads as it admits requests (`limit_concurrency`), see API_CONCURRENCY."""

        async def serve(self, sockets: list | None = None) -> None:
            import anyio.to_thread

            if self.config.limit_concurrency is not None:
                anyio.to_thread.current_default_thread_limiter().total_tokens = self.config.limit_concurrency
            await super().serve(sockets)

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, self.handle_exit)
            yield

    return QuietServer


def load_seed_once() -> None:
    """The first start of a fresh database loads the catalog seed (later ones keep your edits)."""
    from infra.seed.loader import catalog_is_empty, load_catalog
    from shared.db import session_scope

    with session_scope() as session:
        if catalog_is_empty(session):
            step("loading the catalog seed (first start) ...")
            counts = load_catalog(session)
            step("catalog: " + ", ".join(f"{n} {what}" for what, n in counts.items()))


def create_demo_database_once() -> str | None:
    """The demo shop database beside the app's (`ainav_demo`), made on the first start; None (and a
    note) when the server does not let us create it."""
    from sqlalchemy.exc import DBAPIError

    from infra.local.demo_database import DEMO_DATABASE, create_demo_database

    try:
        return create_demo_database(os.environ["DATABASE_URL"], DEMO_DATABASE, progress=step)
    except DBAPIError as exc:
        step(f"no demo database ({type(exc.orig).__name__}): POST /_local/demo-connection is off")
        return None


def build_loops(outbox: "Outbox") -> dict[str, "Loop"]:
    """The background parts of the stack: the mail outbox, the SQS worker (the priority queue first, then
    the executions and mail queues), the schedule firer."""
    from infra.local.outbox import watch_outbox
    from infra.local.scheduler_loop import SchedulerLoop
    from infra.local.worker_loop import PriorityWorker, WorkerLoop
    from shared.config import settings

    def loop_of(url: str) -> WorkerLoop:
        return WorkerLoop.of(url, settings.AWS_REGION, settings.AWS_ENDPOINT_URL)

    assert settings.EXECUTIONS_QUEUE_URL and settings.PRIORITY_QUEUE_URL and settings.MAIL_QUEUE_URL
    worker = PriorityWorker(
        loop_of(settings.PRIORITY_QUEUE_URL),
        loop_of(settings.EXECUTIONS_QUEUE_URL),
        loop_of(settings.MAIL_QUEUE_URL),
    )
    scheduler = SchedulerLoop(settings.SCHEDULE_GROUP_NAME, settings.AWS_REGION, settings.AWS_ENDPOINT_URL)
    return {
        "outbox": lambda stop: watch_outbox(outbox, stop),
        "worker": worker.run,
        "scheduler": scheduler.run,
    }


def main() -> int:
    options = LocalOptions.from_environment()
    options.local_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    from infra.local.postgres import EmbeddedPostgresError

    try:
        moto_server = prepare_environment(options)
    except EmbeddedPostgresError as exc:
        step(f"cannot start: {exc}")
        return 1

    import uvicorn

    QuietServer = build_server_class()
    from infra.local.app import build_local_app
    from infra.local.loops import LoopRunner
    from infra.local.outbox import default_outbox
    from shared.migrations.runner import upgrade_head

    step("applying migrations ...")
    upgrade_head()
    load_seed_once()
    demo_url = create_demo_database_once()

    outbox = default_outbox(options.outbox_dir)
    app = build_local_app(outbox, demo_url)
    loops = LoopRunner(build_loops(outbox))
    loops.start()

    base = f"http://{options.host}:{options.port}"
    demo = f"    demo DB    POST {base}/_local/demo-connection   (signed in; docs/connections.md)\n"
    print(
        "\n"
        f"  ainav is running ({time.monotonic() - started:.1f}s to start)\n"
        f"    API        {base}/v1\n"
        f"    docs       {base}/docs\n"
        f"    health     {base}/v1/health\n"
        f"    outbox     {base}/_local/outbox   (.eml files in {options.outbox_dir})\n"
        f"    AWS (moto) {options.aws_endpoint_url}   (worker and scheduler loops running)\n"
        f"    database   DATABASE_URL={shown_database_url()}   (e.g. for make superuser)\n"
        f"{demo if demo_url else ''}"
        "  Ctrl-C stops everything; data stays in "
        f"{options.local_dir}\n",
        flush=True,
    )
    server = QuietServer(
        uvicorn.Config(
            app, host=options.host, port=options.port, log_level="info", limit_concurrency=API_CONCURRENCY
        )
    )
    try:
        server.run()
    finally:
        step("stopping ...")
        loops.stop()
        moto_server.stop()
        from shared.db import get_engine

        get_engine().dispose()
        step("stopped (PostgreSQL stops as this process exits)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
