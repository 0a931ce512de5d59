"""Runs as the API sees them: start one, read and list the caller's, cancel, retry. Every status
change goes through shared.executions.lifecycle."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.api.pagination import PageParams, paginate
from shared.errors import ConflictError, NotFoundError
from shared.executions import lifecycle
from shared.executions.models import FINISHED_STATUSES, AgentExecution, ExecutionStatus
from shared.interactions import service as interaction_service
from shared.json_schema import check_instance
from shared.users.models import User
from shared.workflows.models import AgentWorkflow


def start_execution(
    *,
    session: Session,
    workflow: AgentWorkflow,
    user_id: uuid.UUID,
    input_data: dict[str, Any],
    trigger_type: str,
    trigger_metadata: dict[str, Any] | None = None,
) -> AgentExecution:
    """Commit a pending execution of the workflow's current version and queue it (429 past the daily
    run quota, 503 when the queue refuses it)."""
    execution = lifecycle.new_execution(
        workflow_id=workflow.id,
        user_id=user_id,
        workflow_version=workflow.version,
        input_data=input_data,
        trigger_type=trigger_type,
        trigger_metadata=trigger_metadata,
    )
    return lifecycle.queue(session, execution)


def start_run(
    *,
    session: Session,
    workflow: AgentWorkflow,
    user: User,
    input_data: dict[str, Any],
    trigger_type: str = "manual",
) -> AgentExecution:
    """The owner starts a run of the current version, with input checked against the input_schema."""
    check_instance(workflow.input_schema, input_data)
    interaction_service.record(
        session=session, user_id=user.id, item_type="workflow", item_id=workflow.id, action="run"
    )
    return start_execution(
        session=session, workflow=workflow, user_id=user.id, input_data=input_data, trigger_type=trigger_type
    )


def get_owned(
    *, session: Session, execution_id: uuid.UUID, user_id: uuid.UUID, for_update: bool = False
) -> AgentExecution:
    """One of the caller's executions; anyone else's is a 404."""
    query = select(AgentExecution).where(AgentExecution.id == execution_id, AgentExecution.user_id == user_id)
    if for_update:
        query = query.with_for_update()
    execution = session.scalar(query)
    if execution is None:
        raise NotFoundError("Execution not found")
    return execution


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


def cancel(*, session: Session, execution: AgentExecution) -> AgentExecution:
    """Pending: cancelled at once. Running: the engine stops before its next node. Finished: 409."""
    session.refresh(execution, with_for_update=True)
    if execution.status in FINISHED_STATUSES:
        raise ConflictError(f"The execution is already {execution.status}")
    lifecycle.cancel(execution)
    session.commit()
    return execution


def retry(*, session: Session, execution: AgentExecution, latest: bool) -> AgentExecution:
    """A new run of a failed execution that reuses its successful nodes and resumes at the failure."""
    if execution.status != ExecutionStatus.FAILED:
        raise ConflictError(f"Only a failed execution can be retried; this one is {execution.status}")
    workflow = session.get(AgentWorkflow, execution.workflow_id)
    if workflow is None:
        raise NotFoundError("The workflow of this execution no longer exists")
    version = workflow.version if latest else execution.workflow_version
    return lifecycle.queue(session, lifecycle.resumption(execution, version, retry_of=str(execution.id)))
