"""Turn an ASGI app into an API Gateway Lambda handler with Powertools logging and metrics.

No Powertools Tracer here: importing the X-Ray SDK costs ~370 ms of every API function's cold start
(docs/benchmarks.md), and Lambda's active tracing still records each invocation, its init and its
duration. The background functions (worker, maintenance), where the SDK's subsegments pay, keep it."""

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from fastapi import FastAPI
from mangum import Mangum

LambdaHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def make_http_handler(app: FastAPI, *, logger: Logger, metrics: Metrics) -> LambdaHandler:
    """Mangum around the app; the API Gateway request id becomes the log correlation id."""
    asgi = Mangum(app, lifespan="off", api_gateway_base_path="/")

    # log_event stays off whatever POWERTOOLS_LOGGER_LOG_EVENT says: the event carries the caller's
    # Authorization and X-API-Key headers, and nothing secret is logged.
    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, log_event=False)
    @metrics.log_metrics(capture_cold_start_metric=True)
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return asgi(event, context)

    return handler
