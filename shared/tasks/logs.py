"""A task's log (seed 004's TaskLog): what happened, by level and step, oldest first."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.api.pagination import PageParams, paginate
from shared.tasks.models import LOG_LEVEL_ORDER, LogLevel, TaskLog

MAX_MESSAGE_LENGTH = 4000


def add(
    session: Session,
    task_id: uuid.UUID,
    level: LogLevel,
    message: str,
    *,
    step: int | None = None,
    **metadata: Any,
) -> None:
    """One line of the task's log (the caller commits)."""
    session.add(
        TaskLog(
            task_id=task_id,
            level=level,
            message=message[:MAX_MESSAGE_LENGTH],
            step=step,
            log_metadata=metadata,
        )
    )


def list_logs(
    session: Session,
    task_id: uuid.UUID,
    page: PageParams,
    *,
    level: LogLevel | None = None,
    step: int | None = None,
) -> tuple[list[TaskLog], int]:
    """The task's log oldest first; `level` keeps that level and the ones above it, `step` one step."""
    query = select(TaskLog).where(TaskLog.task_id == task_id).order_by(TaskLog.timestamp, TaskLog.id)
    if level is not None:
        kept = [name.value for name, rank in LOG_LEVEL_ORDER.items() if rank >= LOG_LEVEL_ORDER[level]]
        query = query.where(TaskLog.level.in_(kept))
    if step is not None:
        query = query.where(TaskLog.step == step)
    return paginate(session, query, page)
