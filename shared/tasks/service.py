"""Tasks as the API sees them: create (202: planning is queued), read and list the caller's, change
their title, description and priority, delete, and move them: start, pause, resume, cancel, retry
(409 for a move the task's status does not allow)."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.api.pagination import PageParams, paginate
from shared.errors import ConflictError, NotFoundError, ServiceUnavailableError
from shared.executions import lifecycle
from shared.executions.models import AgentExecution, ExecutionStatus
from shared.queue import messages
from shared.queue import service as queue_service
from shared.queue.models import QueueName
from shared.tasks import logs, runs, steps
from shared.tasks.models import HIGH_PRIORITIES, LogLevel, Task, TaskStatus
from shared.tasks.schemas import TaskCreate, TaskUpdate
from shared.users.models import User
from shared.workflows import service as workflow_service
from shared.workflows.models import AgentWorkflow

TITLE_FROM_INTENT = 80


def queue_of(task: Task) -> QueueName:
    return QueueName.PRIORITY if task.priority in HIGH_PRIORITIES else QueueName.EXECUTIONS


def create(session: Session, *, user: User, request: TaskCreate) -> Task:
    """A pending task, and its `task.plan` message (a queue that refuses fails the task: 503)."""
    title = request.title or " ".join(request.intent.split())[:TITLE_FROM_INTENT]
    task = Task(
        user_id=user.id,
        title=title,
        description=request.description,
        intent=request.intent,
        priority=request.priority,
        auto_start=request.auto_start,
    )
    session.add(task)
    session.flush()
    logs.add(session, task.id, LogLevel.INFO, "Task created", priority=str(task.priority))
    session.commit()
    _queue_planning(session, task)
    return task


def _queue_planning(session: Session, task: Task) -> None:
    try:
        queue_service.send(session, messages.TaskPlan(task_id=task.id), queue=queue_of(task), task_id=task.id)
    except queue_service.QueueUnavailableError as exc:
        task.status, task.error = TaskStatus.FAILED, "The task could not be queued for planning"
        logs.add(session, task.id, LogLevel.ERROR, task.error)
        session.commit()
        raise ServiceUnavailableError("The task could not be queued; try again shortly") from exc


def get_owned(session: Session, *, task_id: uuid.UUID, user_id: uuid.UUID) -> Task:
    """One of the caller's tasks, in step with its run; anyone else's is a 404."""
    task = session.scalar(select(Task).where(Task.id == task_id, Task.user_id == user_id))
    if task is None:
        raise NotFoundError("Task not found")
    return steps.sync(session, task)


def list_owned(
    session: Session,
    *,
    user_id: uuid.UUID,
    page: PageParams,
    status: str | None = None,
    priority: str | None = None,
) -> tuple[list[Task], int]:
    """The caller's tasks, newest first."""
    query = select(Task).where(Task.user_id == user_id).order_by(Task.created_at.desc(), Task.id)
    if status is not None:
        query = query.where(Task.status == status)
    if priority is not None:
        query = query.where(Task.priority == priority)
    return paginate(session, query, page)


def update(session: Session, *, task: Task, request: TaskUpdate) -> Task:
    """Title, description and priority (a new priority reaches the run's next messages)."""
    fields = request.model_dump(exclude_unset=True)
    if "title" in fields and fields["title"] is None:
        fields.pop("title")
    if "priority" in fields and fields["priority"] is None:
        fields.pop("priority")
    for name, value in fields.items():
        setattr(task, name, value)
    if "priority" in fields:
        runs.set_priority(session, task)
    session.commit()
    return task


def delete(session: Session, *, task: Task) -> None:
    """The task with its log, and the workflow compiled from it with its runs and their artifacts (409
    while a run is going: cancel it first)."""
    if task.status == TaskStatus.RUNNING:
        raise ConflictError("The task is running; cancel it first")
    workflow = session.get(AgentWorkflow, task.workflow_id) if task.workflow_id else None
    if workflow is not None:
        workflow_service.delete_workflow(session=session, workflow=workflow)
    session.delete(task)
    session.commit()


def _execution(session: Session, task: Task) -> AgentExecution | None:
    return session.get(AgentExecution, task.execution_id, with_for_update=True) if task.execution_id else None


def _refuse(task: Task, move: str) -> ConflictError:
    return ConflictError(f"A {task.status} task cannot {move}")


def start(session: Session, *, task: Task) -> Task:
    """A planned pending task's run starts; one still to be planned starts as soon as it is."""
    session.refresh(task, with_for_update=True)
    if task.status not in (TaskStatus.PENDING, TaskStatus.PLANNING):
        raise _refuse(task, "be started")
    if task.plan is None:
        task.auto_start = True
        session.commit()
        return task
    runs.start_run(session, task)
    return task


def pause(session: Session, *, task: Task) -> Task:
    """A running task stops before its next step (at once if its run has not started)."""
    session.refresh(task, with_for_update=True)
    execution = _execution(session, task)
    if task.status != TaskStatus.RUNNING or execution is None or execution.pause_requested_at is not None:
        raise _refuse(task, "be paused" if task.status != TaskStatus.RUNNING else "be paused twice")
    lifecycle.request_pause(execution)
    if execution.status == ExecutionStatus.PAUSED:
        task.status = TaskStatus.PAUSED
    logs.add(session, task.id, LogLevel.INFO, "Pause asked for; the run stops before its next step")
    session.commit()
    return task


def resume(session: Session, *, task: Task) -> Task:
    """A paused task goes on from its next step; a running one asked to pause is not paused after all."""
    session.refresh(task, with_for_update=True)
    execution = _execution(session, task)
    waiting = task.status == TaskStatus.RUNNING and execution is not None and execution.pause_requested_at
    if execution is None or not (task.status == TaskStatus.PAUSED or waiting):
        raise _refuse(task, "be resumed")
    if task.status == TaskStatus.PAUSED:
        task.status = TaskStatus.RUNNING
    logs.add(session, task.id, LogLevel.INFO, "Resumed")
    lifecycle.resume(session, execution)
    return steps.sync(session, task, execution)


def cancel(session: Session, *, task: Task) -> Task:
    """Before its run or while paused: cancelled at once. Running: its run stops before the next step."""
    session.refresh(task, with_for_update=True)
    if task.status in (TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.CANCELLED):
        raise _refuse(task, "be cancelled")
    execution = _execution(session, task)
    if execution is not None and task.status in (TaskStatus.RUNNING, TaskStatus.PAUSED):
        lifecycle.cancel(execution)
        logs.add(session, task.id, LogLevel.WARN, "Cancel asked for")
        session.commit()
        return steps.sync(session, task, execution)
    task.status = TaskStatus.CANCELLED
    logs.add(session, task.id, LogLevel.WARN, "Task cancelled")
    session.commit()
    return task


def retry(session: Session, *, task: Task) -> Task:
    """A failed or cancelled task again: a run that failed resumes at its failed step, reusing the steps
    that succeeded; a task that was never planned is planned again."""
    session.refresh(task, with_for_update=True)
    if task.status not in (TaskStatus.FAILED, TaskStatus.CANCELLED):
        raise _refuse(task, "be retried")
    logs.add(session, task.id, LogLevel.INFO, "Retry")
    if task.plan is None or task.workflow_id is None:
        task.status, task.error, task.completed_at, task.plan = TaskStatus.PENDING, None, None, None
        session.commit()
        _queue_planning(session, task)
        return task
    previous = session.get(AgentExecution, task.execution_id) if task.execution_id else None
    runs.start_run(session, task, previous=previous)
    return task
