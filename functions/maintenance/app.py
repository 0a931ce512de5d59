"""MaintenanceFunction: EventBridge rate(5 minutes) → fail stuck runs, re-enqueue lost ones, purge."""

from aws_lambda_powertools import Logger, Tracer

from shared.db import session_scope
from shared.executions.maintenance import run_maintenance

logger = Logger()
tracer = Tracer()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict, context: object) -> dict[str, int]:
    with session_scope() as session:
        return run_maintenance(session)
