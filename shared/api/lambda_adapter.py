"""Turn an ASGI app into an API Gateway Lambda handler with Powertools logging and metrics.

No Powertools Tracer here: importing the X-Ray SDK costs ~370 ms of every API function's cold start
(docs/benchmarks.md), and Lambda's active tracing still records each invocation, its init and its
duration. The background functions (worker, maintenance), where the SDK's subsegments pay, keep it.

Synchronous routes and dependencies run in the invoking thread while a Lambda handler serves an event
(`run_sync_inline`): an execution environment serves one request at a time, so FastAPI's hand-over of
each of them to a worker thread only costs a thread switch, ~3 ms of a 10 ms catalog page over the ~20
switches a request makes (docs/benchmarks.md). Served by uvicorn (`make dev`, tests' clients) nothing
changes: requests there are concurrent and keep the thread pool."""

import contextvars
from collections.abc import Callable
from typing import Any

import anyio.to_thread
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from fastapi import FastAPI
from mangum import Mangum

from shared import snapstart

LambdaHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]

_serving_one_lambda_event = contextvars.ContextVar("serving_one_lambda_event", default=False)
_thread_pool_run_sync = anyio.to_thread.run_sync


async def run_sync_inline(func: Callable[..., Any], *args: Any, **options: Any) -> Any:
    """anyio's `to_thread.run_sync`, which Starlette and FastAPI call for every synchronous route and
    dependency: in this thread while a Lambda event is served, in the thread pool otherwise."""
    if _serving_one_lambda_event.get():
        return func(*args)
    return await _thread_pool_run_sync(func, *args, **options)


def make_http_handler(
    app: FastAPI, *, logger: Logger, metrics: Metrics, warm: snapstart.Warm | None = None
) -> LambdaHandler:
    """Mangum around the app; the API Gateway request id becomes the log correlation id. Under
    SnapStart, `warm` runs before the snapshot (shared.snapstart)."""
    asgi = Mangum(app, lifespan="off", api_gateway_base_path="/")
    anyio.to_thread.run_sync = run_sync_inline  # type: ignore[assignment]  (see the module's docstring)
    snapstart.register(warm)

    # log_event stays off whatever POWERTOOLS_LOGGER_LOG_EVENT says: the event carries the caller's
    # Authorization and X-API-Key headers, and nothing secret is logged.
    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, log_event=False)
    @metrics.log_metrics(capture_cold_start_metric=True)
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        serving = _serving_one_lambda_event.set(True)
        try:
            return asgi(event, context)
        finally:
            _serving_one_lambda_event.reset(serving)

    return handler
