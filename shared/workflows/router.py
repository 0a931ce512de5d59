"""/v1/workflows: authoring, versions, sharing, forks, stars and runs."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from shared.api.pagination import Page, PageDep
from shared.api.responses import error_responses
from shared.auth.dependencies import CurrentPrincipal, CurrentUser
from shared.db import SessionDep
from shared.executions.schemas import ExecutionPublic
from shared.scheduling import service as scheduling_service
from shared.workflows import service as workflow_service
from shared.workflows.dependencies import MemberVisibleWorkflow, OwnedWorkflow, VisibleWorkflow
from shared.workflows.models import AgentWorkflow
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


def to_public(workflow: AgentWorkflow, webhook_secret: str | None = None) -> WorkflowPublic:
    public = WorkflowPublic.model_validate(workflow)
    config = workflow.trigger_config
    if workflow.trigger_type == "schedule" and config.get("enabled", True):
        public.next_fire_times = scheduling_service.next_fire_times(
            config["cron"], config.get("timezone", "UTC")
        )
    if workflow.trigger_type == "webhook":
        public.webhook_url = f"/v1/hooks/{workflow.id}"
    public.webhook_secret = webhook_secret
    return public


def page_of(items: list[AgentWorkflow], total: int, page: PageDep) -> Page[WorkflowPublic]:
    return Page(
        items=[to_public(item) for item in items], total=total, page=page.page, page_size=page.page_size
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=WorkflowPublic,
    responses=error_responses(401, 413, 422, 503),
)
def create_workflow(body: WorkflowCreate, user: CurrentUser, session: SessionDep) -> WorkflowPublic:
    workflow, secret = workflow_service.create_workflow(session=session, user=user, request=body)
    return to_public(workflow, secret)


@router.get("", response_model=Page[WorkflowPublic], responses=error_responses(401, 422))
def list_my_workflows(user: CurrentUser, session: SessionDep, page: PageDep) -> Page[WorkflowPublic]:
    return page_of(*workflow_service.list_mine(session=session, user=user, page=page), page)


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
def read_workflow(workflow: VisibleWorkflow) -> WorkflowPublic:
    return to_public(workflow)


@router.patch(
    "/{workflow_id}", response_model=WorkflowPublic, responses=error_responses(401, 403, 404, 413, 422, 503)
)
def update_workflow(body: WorkflowUpdate, workflow: OwnedWorkflow, session: SessionDep) -> WorkflowPublic:
    updated, secret = workflow_service.update_workflow(session=session, workflow=workflow, request=body)
    return to_public(updated, secret)


@router.delete(
    "/{workflow_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 403, 404, 503)
)
def delete_workflow(workflow: OwnedWorkflow, session: SessionDep) -> None:
    workflow_service.delete_workflow(session=session, workflow=workflow)


@router.get(
    "/{workflow_id}/versions",
    response_model=Page[WorkflowVersionPublic],
    responses=error_responses(401, 404, 422),
)
def list_versions(
    workflow: VisibleWorkflow, session: SessionDep, page: PageDep
) -> Page[WorkflowVersionPublic]:
    items, total = workflow_service.list_versions(session=session, workflow=workflow, page=page)
    return Page(
        items=[WorkflowVersionPublic.model_validate(item) for item in items],
        total=total,
        page=page.page,
        page_size=page.page_size,
    )


@router.post(
    "/{workflow_id}/fork",
    status_code=status.HTTP_201_CREATED,
    response_model=WorkflowPublic,
    responses=error_responses(401, 404),
)
def fork_workflow(workflow: MemberVisibleWorkflow, user: CurrentUser, session: SessionDep) -> WorkflowPublic:
    return to_public(workflow_service.fork(session=session, source=workflow, user=user))


@router.put("/{workflow_id}/star", response_model=StarStatus, responses=error_responses(401, 404))
def star_workflow(workflow: MemberVisibleWorkflow, user: CurrentUser, session: SessionDep) -> StarStatus:
    count = workflow_service.set_star(session=session, workflow=workflow, user=user, starred=True)
    return StarStatus(starred=True, star_count=count)


@router.delete("/{workflow_id}/star", response_model=StarStatus, responses=error_responses(401, 404))
def unstar_workflow(workflow: MemberVisibleWorkflow, user: CurrentUser, session: SessionDep) -> StarStatus:
    count = workflow_service.set_star(session=session, workflow=workflow, user=user, starred=False)
    return StarStatus(starred=False, star_count=count)


@router.post(
    "/{workflow_id}/runs",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ExecutionPublic,
    responses=error_responses(401, 403, 404, 422, 503),
)
def run_workflow(
    body: RunRequest, workflow: OwnedWorkflow, principal: CurrentPrincipal, session: SessionDep
) -> ExecutionPublic:
    # a run started with an API key (no interactive sign-in) is an "api" run
    trigger_type = "manual" if principal.session_family_id is not None else "api"
    execution = workflow_service.run(
        session=session,
        workflow=workflow,
        user=principal.user,
        input_data=body.input,
        trigger_type=trigger_type,
    )
    return ExecutionPublic.model_validate(execution)
