"""A task's run as the task sees it: each step is the node `step_<n>` of its compiled workflow, so the
run's log entries become the task's step logs and its progress, and the run's outcome (completed,
failed, cancelled, paused) becomes the task's status."""

import re
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.config import get_utc_now
from shared.executions.models import AgentExecution, ExecutionStatus
from shared.executions.tool_calls import capped
from shared.tasks import logs
from shared.tasks.models import LogLevel, Task, TaskStatus

STEP_NODE = re.compile(r"^step_(\d+)$")
# what a task becomes when its run ends (or pauses)
TASK_STATUS_OF_RUN = {
    ExecutionStatus.COMPLETED: TaskStatus.SUCCEEDED,
    ExecutionStatus.FAILED: TaskStatus.FAILED,
    ExecutionStatus.CANCELLED: TaskStatus.CANCELLED,
    ExecutionStatus.PAUSED: TaskStatus.PAUSED,
}


def node_id(step: int) -> str:
    return f"step_{step}"


def step_of(node: str) -> int | None:
    match = STEP_NODE.match(node)
    return int(match.group(1)) if match else None


def record(session: Session, task_id: uuid.UUID, entries: list[dict[str, Any]]) -> None:
    """Step logs for new run log entries, and the count of steps done (the caller commits)."""
    task = session.get(Task, task_id)
    if task is None:
        return
    for entry in entries:
        step = step_of(entry["node_id"])
        if step is None or entry["status"] == "skipped":
            continue
        where = {"node_id": entry["node_id"], "type": entry["type"], "attempt": entry.get("attempt")}
        if entry["status"] == "failed":
            logs.add(
                session,
                task.id,
                LogLevel.ERROR,
                f"Step {step} ({entry['type']}) failed: {entry.get('error')}",
                step=step,
                duration_ms=entry.get("duration_ms"),
                **where,
            )
            continue
        if entry["status"] == "reused":
            logs.add(session, task.id, LogLevel.DEBUG, f"Step {step} reused from earlier", step=step, **where)
        else:
            logs.add(
                session,
                task.id,
                LogLevel.INFO,
                f"Step {step} ({entry['type']}) done in {entry.get('duration_ms', 0):.0f} ms",
                step=step,
                duration_ms=entry.get("duration_ms"),
                **where,
            )
            logs.add(
                session,
                task.id,
                LogLevel.DEBUG,
                f"Step {step} output",
                step=step,
                output=capped(entry["output"]),
            )
        task.current_step = max(task.current_step, step)


def follow_execution(session: Session, execution_id: uuid.UUID) -> None:
    """After a run stopped (ended, paused, handed over): its task follows, if it is a task's run."""
    execution = session.get(AgentExecution, execution_id)
    if execution is None or execution.task_id is None:
        return
    task = session.get(Task, execution.task_id)
    if task is not None and task.execution_id == execution.id:
        sync(session, task, execution)


def sync(session: Session, task: Task, execution: AgentExecution | None = None) -> Task:
    """A running or paused task takes the status of its run once the run ended or paused (committed)."""
    if task.status not in (TaskStatus.RUNNING, TaskStatus.PAUSED) or task.execution_id is None:
        return task
    execution = execution or session.get(AgentExecution, task.execution_id)
    if execution is None:
        return task
    status = TASK_STATUS_OF_RUN.get(ExecutionStatus(execution.status))
    if status is None:
        if execution.status == ExecutionStatus.PENDING and task.status == TaskStatus.PAUSED:
            task.status = TaskStatus.RUNNING  # resumed
            session.commit()
        return task
    if status == task.status:
        return task
    task.status = status
    if status == TaskStatus.PAUSED:
        logs.add(
            session, task.id, LogLevel.INFO, f"Paused after step {task.current_step}", step=task.current_step
        )
    elif status == TaskStatus.SUCCEEDED:
        task.result, task.error, task.completed_at = execution.output_data, None, get_utc_now()
        task.current_step = task.total_steps
        logs.add(session, task.id, LogLevel.INFO, "Task succeeded", result=execution.output_data)
    else:
        task.error, task.completed_at = execution.error_message, get_utc_now()
        level = LogLevel.ERROR if status == TaskStatus.FAILED else LogLevel.WARN
        logs.add(session, task.id, level, f"Task {status}: {execution.error_message or ''}".strip())
    session.commit()
    return task


def unfinished_runs(session: Session, limit: int = 100) -> list[Task]:
    """Running or paused tasks whose run has moved on without them (maintenance reconciles these)."""
    return list(
        session.scalars(
            select(Task)
            .join(AgentExecution, AgentExecution.id == Task.execution_id)
            .where(
                Task.status.in_((TaskStatus.RUNNING, TaskStatus.PAUSED)),
                AgentExecution.status.in_(
                    (ExecutionStatus.COMPLETED, ExecutionStatus.FAILED, ExecutionStatus.CANCELLED)
                ),
            )
            .limit(limit)
        )
    )
