"""/v1/projects: the caller's folders for workflows and agents."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from shared.api.pagination import Page, PageDep
from shared.api.responses import JSON_BODY, error_responses
from shared.auth.dependencies import CurrentUser
from shared.db import SessionDep
from shared.projects import service as project_service
from shared.projects.dependencies import OwnedProject
from shared.projects.schemas import ProjectCreate, ProjectPublic, ProjectUpdate

router = APIRouter(prefix="/projects", tags=["projects"])

IncludeArchived = Annotated[bool, Query(description="also list archived (deleted) projects")]


@router.get("", response_model=Page[ProjectPublic], responses=error_responses(401, 422))
def list_projects(
    user: CurrentUser, session: SessionDep, page: PageDep, include_archived: IncludeArchived = False
) -> Page[ProjectPublic]:
    """The caller's projects, the default one always among them."""
    items, total = project_service.list_for(
        session=session, user_id=user.id, page=page, include_archived=include_archived
    )
    return Page.of([ProjectPublic.model_validate(item) for item in items], total, page)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ProjectPublic,
    responses=error_responses(401, 429, *JSON_BODY),
)
def create_project(body: ProjectCreate, user: CurrentUser, session: SessionDep) -> ProjectPublic:
    return ProjectPublic.model_validate(
        project_service.create(session=session, user_id=user.id, request=body)
    )


@router.get("/{project_id}", response_model=ProjectPublic, responses=error_responses(401, 404, 422))
def read_project(project: OwnedProject) -> ProjectPublic:
    return ProjectPublic.model_validate(project)


@router.patch("/{project_id}", response_model=ProjectPublic, responses=error_responses(401, 404, *JSON_BODY))
def update_project(body: ProjectUpdate, project: OwnedProject, session: SessionDep) -> ProjectPublic:
    return ProjectPublic.model_validate(
        project_service.update(session=session, project=project, request=body)
    )


@router.delete(
    "/{project_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 404, 409, 422)
)
def delete_project(project: OwnedProject, session: SessionDep) -> None:
    """Archive the project (the default project cannot be deleted: 409); its workflows stay in it."""
    project_service.archive(session=session, project=project)


@router.post("/{project_id}/restore", response_model=ProjectPublic, responses=error_responses(401, 404, 422))
def restore_project(project: OwnedProject, session: SessionDep) -> ProjectPublic:
    return ProjectPublic.model_validate(project_service.restore(session=session, project=project))
