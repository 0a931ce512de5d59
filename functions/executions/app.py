"""ExecutionsFunction: /v1/executions (list, detail with logs, cancel, retry, artifacts, tool calls)."""

from aws_lambda_powertools import Logger, Metrics

from shared.api.app import create_app
from shared.api.lambda_adapter import make_http_handler
from shared.artifacts.router import router as artifacts_router
from shared.executions.router import router as executions_router

logger = Logger()
metrics = Metrics()

app = create_app(executions_router, artifacts_router, title="ainav executions")
handler = make_http_handler(app, logger=logger, metrics=metrics)
