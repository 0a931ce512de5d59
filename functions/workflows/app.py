"""WorkflowsFunction: /v1/workflows (authoring, versions, sharing, stars, schedules, runs) and
/v1/projects (the folders workflows and agents are kept in)."""

from aws_lambda_powertools import Logger, Metrics

from shared.api.app import create_app
from shared.api.lambda_adapter import make_http_handler
from shared.projects.router import router as projects_router
from shared.workflows.router import router as workflows_router

logger = Logger()
metrics = Metrics()

app = create_app(workflows_router, projects_router, title="ainav workflows")
handler = make_http_handler(app, logger=logger, metrics=metrics)
