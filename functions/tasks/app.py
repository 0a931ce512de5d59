"""TasksFunction: /v1/tasks (tasks from an intent: plan, moves, logs, artifacts) and /v1/admin/jobs
(tracked queue jobs, redrive)."""

from aws_lambda_powertools import Logger, Metrics

from shared.api.app import create_app
from shared.api.lambda_adapter import make_http_handler
from shared.queue.router import router as jobs_router
from shared.tasks.router import router as tasks_router

logger = Logger()
metrics = Metrics()

app = create_app(tasks_router, jobs_router, title="ainav tasks")
handler = make_http_handler(app, logger=logger, metrics=metrics)
