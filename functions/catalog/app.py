"""CatalogFunction: /v1/catalog (categories, scenarios, tools, skills, hybrid search, admin writes)."""

from aws_lambda_powertools import Logger, Metrics

from shared import snapstart
from shared.api.app import create_app
from shared.api.lambda_adapter import make_http_handler
from shared.catalog.router import router

logger = Logger()
metrics = Metrics()

app = create_app(router, title="ainav catalog")
handler = make_http_handler(app, logger=logger, metrics=metrics, warm=snapstart.load_embedding_model)
