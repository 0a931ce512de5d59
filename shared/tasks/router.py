"""/v1/tasks: the caller's tasks from an intent, their moves, logs and artifacts."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from shared.api.pagination import Page, PageDep
from shared.api.responses import JSON_BODY, error_responses
from shared.artifacts import service as artifact_service
from shared.artifacts.router import public_artifact
from shared.artifacts.schemas import ArtifactPublic
from shared.auth.dependencies import CurrentUser
from shared.db import SessionDep
from shared.tasks import logs
from shared.tasks import service as task_service
from shared.tasks.dependencies import OwnedTask
from shared.tasks.models import LogLevel, TaskPriority, TaskStatus
from shared.tasks.schemas import TaskCreate, TaskLogPublic, TaskPublic, TaskUpdate

router = APIRouter(prefix="/tasks", tags=["tasks"])


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=TaskPublic,
    responses=error_responses(401, *JSON_BODY),
)
def create_task(request: TaskCreate, user: CurrentUser, session: SessionDep) -> TaskPublic:
    """A pending task; the worker plans it with the model, then runs it (unless `auto_start` is false)."""
    return TaskPublic.model_validate(task_service.create(session, user=user, request=request))


@router.get("", response_model=Page[TaskPublic], responses=error_responses(401, 422))
def list_tasks(
    user: CurrentUser,
    session: SessionDep,
    page: PageDep,
    status: TaskStatus | None = None,
    priority: TaskPriority | None = None,
) -> Page[TaskPublic]:
    items, total = task_service.list_owned(
        session, user_id=user.id, page=page, status=status, priority=priority
    )
    return Page.of([TaskPublic.model_validate(item) for item in items], total, page)


@router.get("/{task_id}", response_model=TaskPublic, responses=error_responses(401, 404, 422))
def read_task(task: OwnedTask) -> TaskPublic:
    return TaskPublic.model_validate(task)


@router.patch("/{task_id}", response_model=TaskPublic, responses=error_responses(401, 404, *JSON_BODY))
def update_task(task: OwnedTask, request: TaskUpdate, session: SessionDep) -> TaskPublic:
    return TaskPublic.model_validate(task_service.update(session, task=task, request=request))


@router.delete(
    "/{task_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(401, 404, 409, 422),
)
def delete_task(task: OwnedTask, session: SessionDep) -> Response:
    task_service.delete(session, task=task)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


MOVE_RESPONSES = error_responses(401, 402, 404, 409, 422, 429)


@router.post("/{task_id}/start", response_model=TaskPublic, responses=MOVE_RESPONSES)
def start_task(task: OwnedTask, session: SessionDep) -> TaskPublic:
    """A planned pending task's run starts (one still being planned starts once it is)."""
    return TaskPublic.model_validate(task_service.start(session, task=task))


@router.post("/{task_id}/pause", response_model=TaskPublic, responses=MOVE_RESPONSES)
def pause_task(task: OwnedTask, session: SessionDep) -> TaskPublic:
    """A running task stops before its next step."""
    return TaskPublic.model_validate(task_service.pause(session, task=task))


@router.post("/{task_id}/resume", response_model=TaskPublic, responses=MOVE_RESPONSES)
def resume_task(task: OwnedTask, session: SessionDep) -> TaskPublic:
    """A paused task goes on from its next step."""
    return TaskPublic.model_validate(task_service.resume(session, task=task))


@router.post("/{task_id}/cancel", response_model=TaskPublic, responses=MOVE_RESPONSES)
def cancel_task(task: OwnedTask, session: SessionDep) -> TaskPublic:
    """Cancelled at once before its run or while paused; a running one stops before its next step."""
    return TaskPublic.model_validate(task_service.cancel(session, task=task))


@router.post("/{task_id}/retry", response_model=TaskPublic, responses=MOVE_RESPONSES)
def retry_task(task: OwnedTask, session: SessionDep) -> TaskPublic:
    """A failed or cancelled task again, reusing the steps that succeeded."""
    return TaskPublic.model_validate(task_service.retry(session, task=task))


@router.get("/{task_id}/logs", response_model=Page[TaskLogPublic], responses=error_responses(401, 404, 422))
def read_logs(
    task: OwnedTask,
    session: SessionDep,
    page: PageDep,
    level: Annotated[LogLevel | None, Query(description="this level and the ones above it")] = None,
    step: Annotated[int | None, Query(ge=0, le=10_000)] = None,
) -> Page[TaskLogPublic]:
    items, total = logs.list_logs(session, task.id, page, level=level, step=step)
    return Page.of([TaskLogPublic.model_validate(item) for item in items], total, page)


@router.get(
    "/{task_id}/artifacts", response_model=Page[ArtifactPublic], responses=error_responses(401, 404, 422, 503)
)
def read_artifacts(task: OwnedTask, session: SessionDep, page: PageDep) -> Page[ArtifactPublic]:
    items, total = artifact_service.list_of_task(session, task.id, page)
    return Page.of([public_artifact(item) for item in items], total, page)
