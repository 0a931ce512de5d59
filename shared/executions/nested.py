"""A workflow run inside other work (an agent's workflow tool, a `workflow` node): one of the owner's
executions, admitted (quota, credits) and run in-process by the worker's own function, so its log,
usage and credits are recorded like any run's. Runs nest at most MAX_NESTED_RUNS deep (a workflow that
calls an agent that runs a workflow ...)."""

import uuid
from contextvars import ContextVar
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.errors import InvalidInputError
from shared.executions import lifecycle
from shared.executions.models import AgentExecution
from shared.workflows.models import AgentWorkflow

MAX_NESTED_RUNS = 3
_nested_runs: ContextVar[int] = ContextVar("nested_runs", default=0)


def run_workflow(
    session: Session,
    *,
    workflow_id: uuid.UUID,
    owner_id: uuid.UUID,
    input_data: dict[str, Any],
    trigger_type: str,
) -> AgentExecution:
    """Run one of the owner's workflows to its end; InvalidInputError says why it did not complete."""
    # The worker registers every node type (this one's among them): imported when first needed.
    from shared.executions import worker

    depth = _nested_runs.get()
    if depth >= MAX_NESTED_RUNS:
        raise InvalidInputError(f"workflows may call agents that run workflows only {MAX_NESTED_RUNS} deep")
    workflow = session.scalar(
        select(AgentWorkflow).where(AgentWorkflow.id == workflow_id, AgentWorkflow.user_id == owner_id)
    )
    if workflow is None:
        raise InvalidInputError(f"workflow {workflow_id} no longer exists or is not the owner's")
    execution = lifecycle.admit(
        session,
        lifecycle.new_execution(
            workflow_id=workflow.id,
            user_id=owner_id,
            workflow_version=workflow.version,
            input_data=input_data,
            trigger_type=trigger_type,
        ),
    )
    token = _nested_runs.set(depth + 1)
    try:
        status = worker.run_execution(session=session, execution_id=execution.id)
    finally:
        _nested_runs.reset(token)
    session.refresh(execution)
    if status != "completed":
        raise InvalidInputError(
            f"the workflow run {execution.id} {status}: {execution.error_message or ''}".strip()
        )
    return execution
