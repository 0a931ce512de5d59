"""/v1/workflows: authoring, versions, sharing, forks, stars and runs."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from shared.api.pagination import Page, PageDep
from shared.api.responses import JSON_BODY, error_responses
from shared.auth.dependencies import CurrentPrincipal, CurrentUser, OptionalPrincipal
from shared.db import SessionDep
from shared.executions import service as execution_service
from shared.executions.schemas import ExecutionPublic
from shared.scheduling import service as scheduling_service
from shared.users.models import User
from shared.workflows import service as workflow_service
from shared.workflows.dependencies import MemberVisibleWorkflow, OwnedWorkflow, VisibleWorkflow
from shared.workflows.models import AgentWorkflow
from shared.workflows.redaction import redact_graph, redact_snapshot
from shared.workflows.schemas import (
    RunRequest,
    SortOrder,
    StarStatus,
    WorkflowCreate,
    WorkflowPublic,
    WorkflowUpdate,
    WorkflowVersionPublic,
)

router = APIRouter(prefix="/workflows", tags=["workflows"])

SearchQuery = Annotated[
    str | None, Query(max_length=100, description="part of the name (English or Chinese)")
]
ProjectFilter = Annotated[uuid.UUID | None, Query(description="only the workflows in this project of yours")]


def to_public(
    workflow: AgentWorkflow, webhook_secret: str | None = None, *, viewer: User | None = None
) -> WorkflowPublic:
    """The API's view of a workflow; anyone but its owner sees the graph without literal credentials."""
    public = WorkflowPublic.model_validate(workflow)
    if viewer is None or viewer.id != workflow.user_id:
        public.graph_json = redact_graph(workflow.graph_json)
    if workflow.active_schedule:
        config = workflow.trigger_config
        public.next_fire_times = scheduling_service.next_fire_times(
            config["cron"], config.get("timezone", "UTC")
        )
    if workflow.trigger_type == "webhook":
        public.webhook_url = f"/v1/hooks/{workflow.id}"
    public.webhook_secret = webhook_secret
    return public


def page_of(
    items: list[AgentWorkflow], total: int, page: PageDep, viewer: User | None = None
) -> Page[WorkflowPublic]:
    return Page.of([to_public(item, viewer=viewer) for item in items], total, page)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=WorkflowPublic,
    responses=error_responses(401, 413, *JSON_BODY),
)
def create_workflow(body: WorkflowCreate, user: CurrentUser, session: SessionDep) -> WorkflowPublic:
    workflow, secret = workflow_service.create_workflow(session=session, user=user, request=body)
    return to_public(workflow, secret, viewer=user)


@router.get("", response_model=Page[WorkflowPublic], responses=error_responses(401, 422))
def list_my_workflows(
    user: CurrentUser, session: SessionDep, page: PageDep, project_id: ProjectFilter = None
) -> Page[WorkflowPublic]:
    items, total = workflow_service.list_mine(session=session, user=user, page=page, project_id=project_id)
    return page_of(items, total, page, viewer=user)


@router.get("/public", response_model=Page[WorkflowPublic], responses=error_responses(422))
def list_public_workflows(
    session: SessionDep, page: PageDep, sort: SortOrder = "newest", q: SearchQuery = None
) -> Page[WorkflowPublic]:
    return page_of(*workflow_service.list_public(session=session, page=page, sort=sort, query=q), page)


@router.get("/templates", response_model=Page[WorkflowPublic], responses=error_responses(422))
def list_templates(
    session: SessionDep, page: PageDep, sort: SortOrder = "stars", q: SearchQuery = None
) -> Page[WorkflowPublic]:
    items, total = workflow_service.list_public(
        session=session, page=page, sort=sort, query=q, templates_only=True
    )
    return page_of(items, total, page)


@router.get("/{workflow_id}", response_model=WorkflowPublic, responses=error_responses(401, 404, 422))
def read_workflow(workflow: VisibleWorkflow, principal: OptionalPrincipal) -> WorkflowPublic:
    return to_public(workflow, viewer=principal.user if principal else None)


@router.patch(
    "/{workflow_id}",
    response_model=WorkflowPublic,
    responses=error_responses(401, 403, 404, 413, *JSON_BODY),
)
def update_workflow(
    body: WorkflowUpdate, workflow: OwnedWorkflow, user: CurrentUser, session: SessionDep
) -> WorkflowPublic:
    updated, secret = workflow_service.update_workflow(session=session, workflow=workflow, request=body)
    return to_public(updated, secret, viewer=user)


@router.delete(
    "/{workflow_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 403, 404, 422)
)
def delete_workflow(workflow: OwnedWorkflow, session: SessionDep) -> None:
    workflow_service.delete_workflow(session=session, workflow=workflow)


@router.get(
    "/{workflow_id}/versions",
    response_model=Page[WorkflowVersionPublic],
    responses=error_responses(401, 404, 422),
)
def list_versions(
    workflow: VisibleWorkflow, principal: OptionalPrincipal, session: SessionDep, page: PageDep
) -> Page[WorkflowVersionPublic]:
    items, total = workflow_service.list_versions(session=session, workflow=workflow, page=page)
    owner_view = principal is not None and principal.user.id == workflow.user_id
    versions = [WorkflowVersionPublic.model_validate(item) for item in items]
    if not owner_view:
        versions = [
            version.model_copy(update={"snapshot": redact_snapshot(version.snapshot)}) for version in versions
        ]
    return Page.of(versions, total, page)


@router.post(
    "/{workflow_id}/fork",
    status_code=status.HTTP_201_CREATED,
    response_model=WorkflowPublic,
    responses=error_responses(401, 404, 422),
)
def fork_workflow(workflow: MemberVisibleWorkflow, user: CurrentUser, session: SessionDep) -> WorkflowPublic:
    return to_public(workflow_service.fork(session=session, source=workflow, user=user), viewer=user)


@router.put("/{workflow_id}/star", response_model=StarStatus, responses=error_responses(401, 404, 422))
def star_workflow(workflow: MemberVisibleWorkflow, user: CurrentUser, session: SessionDep) -> StarStatus:
    count = workflow_service.set_star(session=session, workflow=workflow, user=user, starred=True)
    return StarStatus(starred=True, star_count=count)


@router.delete("/{workflow_id}/star", response_model=StarStatus, responses=error_responses(401, 404, 422))
def unstar_workflow(workflow: MemberVisibleWorkflow, user: CurrentUser, session: SessionDep) -> StarStatus:
    count = workflow_service.set_star(session=session, workflow=workflow, user=user, starred=False)
    return StarStatus(starred=False, star_count=count)


@router.post(
    "/{workflow_id}/runs",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ExecutionPublic,
    responses=error_responses(401, 402, 403, 404, 429, *JSON_BODY),
)
def run_workflow(
    body: RunRequest, workflow: OwnedWorkflow, principal: CurrentPrincipal, session: SessionDep
) -> ExecutionPublic:
    # a run started with an API key (no interactive sign-in) is an "api" run
    trigger_type = "manual" if principal.session_family_id is not None else "api"
    execution = execution_service.start_run(
        session=session,
        workflow=workflow,
        user=principal.user,
        input_data=body.input,
        trigger_type=trigger_type,
    )
    return ExecutionPublic.model_validate(execution)
