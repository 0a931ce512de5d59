"""A task's run: an execution of its compiled workflow, linked to the task through its trigger metadata
(task id and priority, which picks the queue), so logs, retries, cancel, resume and credits are the
engine's own."""

from sqlalchemy.orm import Session

from shared.config import get_utc_now
from shared.errors import NotFoundError
from shared.executions import lifecycle
from shared.executions.models import AgentExecution, ExecutionStatus
from shared.tasks import logs
from shared.tasks.models import LogLevel, Task, TaskStatus
from shared.workflows.models import AgentWorkflow

TRIGGER = "task"


def start_run(session: Session, task: Task, previous: AgentExecution | None = None) -> AgentExecution:
    """Admit and queue a run of the task's workflow (a failed or cancelled `previous` run is resumed where
    it stopped, reusing its successful steps); the task is running. Raises what admitting and queueing raise
    (429, 402, 503), the task unchanged."""
    workflow = session.get(AgentWorkflow, task.workflow_id) if task.workflow_id else None
    if workflow is None:
        raise NotFoundError("The workflow compiled from this task's plan no longer exists; retry the task")
    metadata = {"task_id": str(task.id), "priority": str(task.priority)}
    if previous is not None and previous.status in (ExecutionStatus.FAILED, ExecutionStatus.CANCELLED):
        execution = lifecycle.resumption(previous, workflow.version, retry_of=str(previous.id), **metadata)
    else:
        execution = lifecycle.new_execution(
            workflow_id=workflow.id,
            user_id=task.user_id,
            workflow_version=workflow.version,
            input_data={"intent": task.intent},
            trigger_type=TRIGGER,
            trigger_metadata=metadata,
        )
    lifecycle.queue(session, execution)
    task.execution_id = execution.id
    task.status, task.current_step = TaskStatus.RUNNING, 0
    task.started_at = task.started_at or get_utc_now()
    task.completed_at = task.result = task.error = None
    logs.add(
        session, task.id, LogLevel.INFO, "Run queued", execution_id=str(execution.id), queue=task.priority
    )
    session.commit()
    return execution


def set_priority(session: Session, task: Task) -> None:
    """A new priority reaches the run's later messages (a resume, a retry, a hand-over)."""
    execution = session.get(AgentExecution, task.execution_id) if task.execution_id else None
    if execution is not None:
        execution.trigger_metadata = {**execution.trigger_metadata, "priority": str(task.priority)}
