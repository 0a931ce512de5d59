"""WebhooksFunction: POST /v1/hooks/{workflow_id} (signed webhook runs)."""

from aws_lambda_powertools import Logger, Metrics

from shared.api.app import create_app
from shared.api.lambda_adapter import make_http_handler
from shared.webhooks.router import router

logger = Logger()
metrics = Metrics()

app = create_app(router, title="ainav webhooks")
handler = make_http_handler(app, logger=logger, metrics=metrics)
