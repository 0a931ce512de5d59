"""Turn an ASGI app into an API Gateway Lambda handler with Powertools logging, tracing and metrics."""

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from fastapi import FastAPI
from mangum import Mangum

LambdaHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def make_http_handler(app: FastAPI, *, logger: Logger, tracer: Tracer, metrics: Metrics) -> LambdaHandler:
    """Mangum around the app; the API Gateway request id becomes the log correlation id."""
    asgi = Mangum(app, lifespan="off", api_gateway_base_path="/")

    # log_event stays off whatever POWERTOOLS_LOGGER_LOG_EVENT says: the event carries the caller's
    # Authorization and X-API-Key headers, and nothing secret is logged.
    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, log_event=False)
    @tracer.capture_lambda_handler
    @metrics.log_metrics(capture_cold_start_metric=True)
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return asgi(event, context)

    return handler
