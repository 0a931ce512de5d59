"""ChatFunction: /v1/agents (the Q&A wizard's agents and their chat), /v1/conversations, and
/v1/workflows/{id}/chat."""

from aws_lambda_powertools import Logger, Metrics

from shared.agents.router import router
from shared.api.app import create_app
from shared.api.lambda_adapter import make_http_handler

logger = Logger()
metrics = Metrics()

app = create_app(router, title="ainav chat")
handler = make_http_handler(app, logger=logger, metrics=metrics)
