"""Creating runs: a pending execution pinned to a version, then its `execution.run` message."""

import uuid
from typing import Any

from aws_lambda_powertools import Logger
from sqlalchemy.orm import Session

from shared.config import get_utc_now
from shared.errors import ServiceUnavailableError
from shared.executions.models import AgentExecution
from shared.queue import service as queue_service
from shared.workflows.models import AgentWorkflow

logger = Logger(child=True)


def start_execution(
    *,
    session: Session,
    workflow: AgentWorkflow,
    user_id: uuid.UUID,
    input_data: dict[str, Any],
    trigger_type: str,
    trigger_metadata: dict[str, Any] | None = None,
) -> AgentExecution:
    """Commit a pending execution of the workflow's current version and queue it.

    If the queue refuses the message, the row is marked failed (never left pending forever) and the
    caller gets a 503 to retry."""
    execution = AgentExecution(
        workflow_id=workflow.id,
        user_id=user_id,
        workflow_version=workflow.version,
        status="pending",
        input_data=input_data,
        trigger_type=trigger_type,
        trigger_metadata=trigger_metadata or {},
    )
    session.add(execution)
    session.commit()
    try:
        queue_service.enqueue_execution(execution.id)
    except queue_service.QueueUnavailableError as exc:
        execution.status = "failed"
        execution.error_message = "The run could not be queued; nothing was executed."
        execution.finished_at = get_utc_now()
        session.commit()
        logger.error("execution not queued", extra={"execution_id": str(execution.id)})
        raise ServiceUnavailableError("The run could not be queued; try again shortly") from exc
    return execution
