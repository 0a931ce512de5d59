"""ConnectionsFunction: /v1/connections (database connections, their analysis, insights, schema search,
the NL→SQL chat and its sessions) and /v1/shared-chats (public share links)."""

from aws_lambda_powertools import Logger, Metrics

from shared.api.app import create_app
from shared.api.lambda_adapter import make_http_handler
from shared.connections.chat_router import router as chat_router
from shared.connections.router import router

logger = Logger()
metrics = Metrics()

app = create_app(router, chat_router, title="ainav connections")
handler = make_http_handler(app, logger=logger, metrics=metrics)
