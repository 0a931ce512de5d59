"""/v1/executions: the caller's runs, with their logs; cancel and retry."""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from shared.api.pagination import Page, PageDep
from shared.api.responses import error_responses
from shared.auth.dependencies import CurrentUser
from shared.db import SessionDep
from shared.executions import service as execution_service
from shared.executions import tool_calls
from shared.executions.dependencies import OwnedExecution
from shared.executions.models import ExecutionStatus
from shared.executions.schemas import ExecutionPublic, ToolCallPublic

router = APIRouter(prefix="/executions", tags=["executions"])

Trigger = Literal["manual", "api", "webhook", "schedule", "agent", "chat", "workflow", "task"]


@router.get("", response_model=Page[ExecutionPublic], responses=error_responses(401, 422))
def list_executions(
    user: CurrentUser,
    session: SessionDep,
    page: PageDep,
    workflow_id: uuid.UUID | None = None,
    status: Annotated[ExecutionStatus | None, Query()] = None,
    trigger_type: Annotated[Trigger | None, Query()] = None,
) -> Page[ExecutionPublic]:
    items, total = execution_service.list_owned(
        session=session,
        user_id=user.id,
        page=page,
        workflow_id=workflow_id,
        status=status,
        trigger_type=trigger_type,
    )
    return Page.of([ExecutionPublic.model_validate(item) for item in items], total, page)


@router.get("/{execution_id}", response_model=ExecutionPublic, responses=error_responses(401, 404, 422))
def read_execution(execution: OwnedExecution) -> ExecutionPublic:
    return ExecutionPublic.model_validate(execution)


@router.post(
    "/{execution_id}/cancel", response_model=ExecutionPublic, responses=error_responses(401, 404, 409, 422)
)
def cancel_execution(execution: OwnedExecution, session: SessionDep) -> ExecutionPublic:
    return ExecutionPublic.model_validate(execution_service.cancel(session=session, execution=execution))


@router.post(
    "/{execution_id}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ExecutionPublic,
    responses=error_responses(401, 402, 404, 409, 422, 429, 503),
)
def retry_execution(
    execution: OwnedExecution,
    session: SessionDep,
    latest: Annotated[
        bool, Query(description="run the workflow's latest version instead of the failed one's")
    ] = False,
) -> ExecutionPublic:
    return ExecutionPublic.model_validate(
        execution_service.retry(session=session, execution=execution, latest=latest)
    )


@router.get(
    "/{execution_id}/tool-calls",
    response_model=Page[ToolCallPublic],
    responses=error_responses(401, 404, 422),
)
def list_tool_calls(execution: OwnedExecution, session: SessionDep, page: PageDep) -> Page[ToolCallPublic]:
    """Every skill, http, mcp, llm and agent call of the run, in the order they started, with durations."""
    items, total = tool_calls.list_of_execution(session, execution.id, page)
    return Page.of([ToolCallPublic.model_validate(item) for item in items], total, page)
