"""AuthFunction: /v1/auth/* (register, login, refresh, logout, me, password reset, magic links, OAuth)."""

from aws_lambda_powertools import Logger, Metrics

from shared.api.app import create_app
from shared.api.lambda_adapter import make_http_handler
from shared.auth.router import router

logger = Logger()
metrics = Metrics()

app = create_app(router, title="ainav auth")
handler = make_http_handler(app, logger=logger, metrics=metrics)
