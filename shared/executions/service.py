"""Creating runs: a pending execution pinned to a version, then its `execution.run` message."""

import uuid
from typing import Any

from aws_lambda_powertools import Logger
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import quotas
from shared.api.pagination import PageParams, paginate
from shared.config import get_utc_now
from shared.errors import ConflictError, NotFoundError, RateLimitedError, ServiceUnavailableError
from shared.executions.models import AgentExecution
from shared.queue import service as queue_service
from shared.workflows.models import AgentWorkflow

logger = Logger(child=True)

FINISHED_STATUSES = ("completed", "failed", "cancelled")


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
    caller gets a 503 to retry. Past the user's daily run quota it is a 429 and nothing is created."""
    execution = AgentExecution(
        workflow_id=workflow.id,
        user_id=user_id,
        workflow_version=workflow.version,
        status="pending",
        input_data=input_data,
        trigger_type=trigger_type,
        trigger_metadata=trigger_metadata or {},
    )
    return _commit_and_enqueue(session, execution)


def _commit_and_enqueue(session: Session, execution: AgentExecution) -> AgentExecution:
    exceeded = quotas.daily_runs_exceeded(session, execution.user_id)
    if exceeded is not None:
        raise exceeded
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


def _owned(
    session: Session, execution_id: uuid.UUID, user_id: uuid.UUID, for_update: bool = False
) -> AgentExecution:
    query = select(AgentExecution).where(AgentExecution.id == execution_id, AgentExecution.user_id == user_id)
    if for_update:
        query = query.with_for_update()
    execution = session.scalar(query)
    if execution is None:
        raise NotFoundError("Execution not found")
    return execution


def get_owned(*, session: Session, execution_id: uuid.UUID, user_id: uuid.UUID) -> AgentExecution:
    """One of the caller's executions; anyone else's is a 404."""
    return _owned(session, execution_id, user_id)


def list_owned(
    *,
    session: Session,
    user_id: uuid.UUID,
    page: PageParams,
    workflow_id: uuid.UUID | None = None,
    status: str | None = None,
    trigger_type: str | None = None,
) -> tuple[list[AgentExecution], int]:
    """The caller's executions, newest first, optionally of one workflow, status or trigger."""
    condition = AgentExecution.user_id == user_id
    if workflow_id is not None:
        condition = condition & (AgentExecution.workflow_id == workflow_id)
    if status is not None:
        condition = condition & (AgentExecution.status == status)
    if trigger_type is not None:
        condition = condition & (AgentExecution.trigger_type == trigger_type)
    query = (
        select(AgentExecution).where(condition).order_by(AgentExecution.created_at.desc(), AgentExecution.id)
    )
    return paginate(session, query, page)


def cancel(*, session: Session, execution_id: uuid.UUID, user_id: uuid.UUID) -> AgentExecution:
    """Pending: cancelled at once. Running: the engine stops before its next node. Finished: 409."""
    execution = _owned(session, execution_id, user_id, for_update=True)
    if execution.status in FINISHED_STATUSES:
        raise ConflictError(f"The execution is already {execution.status}")
    now = get_utc_now()
    if execution.status == "pending":
        execution.status = "cancelled"
        execution.error_message = "Cancelled by the owner"
        execution.finished_at = now
    execution.cancel_requested_at = execution.cancel_requested_at or now
    session.commit()
    return execution


def retry(*, session: Session, execution_id: uuid.UUID, user_id: uuid.UUID, latest: bool) -> AgentExecution:
    """A new run of a failed execution that reuses its successful nodes and resumes at the failure."""
    previous = _owned(session, execution_id, user_id)
    if previous.status != "failed":
        raise ConflictError(f"Only a failed execution can be retried; this one is {previous.status}")
    workflow = session.get(AgentWorkflow, previous.workflow_id)
    if workflow is None:
        raise NotFoundError("The workflow of this execution no longer exists")
    version = workflow.version if latest else previous.workflow_version
    return _commit_and_enqueue(session, _resumption(previous, version, retry_of=str(previous.id)))


def _resumption(previous: AgentExecution, version: int, **metadata: str) -> AgentExecution:
    """A pending execution that reuses `previous`'s successful nodes and resumes at its failure."""
    return AgentExecution(
        workflow_id=previous.workflow_id,
        user_id=previous.user_id,
        workflow_version=version,
        status="pending",
        input_data=previous.input_data,
        trigger_type=previous.trigger_type,
        # a retry by the owner starts afresh: it may be resumed once again if its worker dies
        trigger_metadata={
            **{key: value for key, value in previous.trigger_metadata.items() if key != "recovery_of"},
            **metadata,
        },
        retry_of_id=previous.id,
    )


def resume_after_worker_loss(*, session: Session, lost: AgentExecution) -> AgentExecution | None:
    """Maintenance's recovery of a run whose worker died (timeout, crash, out of memory): one automatic
    resumption at the node it died in. A run that was itself such a resumption stays failed, so a node
    that kills its worker every time cannot loop; so does one the quota or the queue refuses."""
    if lost.trigger_metadata.get("recovery_of") or session.get(AgentWorkflow, lost.workflow_id) is None:
        return None
    try:
        return _commit_and_enqueue(
            session, _resumption(lost, lost.workflow_version, recovery_of=str(lost.id), retry_of=str(lost.id))
        )
    except (RateLimitedError, ServiceUnavailableError) as exc:
        session.rollback()
        logger.warning("lost run not resumed", extra={"execution_id": str(lost.id), "reason": exc.message})
        return None
