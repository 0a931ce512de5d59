"""WorkflowsFunction: /v1/workflows (authoring, versions, sharing, stars, schedules, runs)."""

from aws_lambda_powertools import Logger, Metrics

from shared.api.app import create_app
from shared.api.lambda_adapter import make_http_handler
from shared.workflows.router import router

logger = Logger()
metrics = Metrics()

app = create_app(router, title="ainav workflows")
handler = make_http_handler(app, logger=logger, metrics=metrics)
