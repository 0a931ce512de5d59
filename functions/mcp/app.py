"""McpFunction: /v1/mcp (ainav's own MCP endpoint, stateless Streamable HTTP) and /v1/mcp-servers (the
caller's remote MCP servers)."""

from aws_lambda_powertools import Logger, Metrics

from shared import snapstart
from shared.api.app import create_app
from shared.api.lambda_adapter import make_http_handler
from shared.mcp.router import router

logger = Logger()
metrics = Metrics()

app = create_app(router, title="ainav mcp")
handler = make_http_handler(app, logger=logger, metrics=metrics, warm=snapstart.load_embedding_model)
