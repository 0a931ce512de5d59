"""Tasks from an intent (seed 004's Task and TaskLog): a plan made by the model, compiled into a workflow
whose runs do the steps; the log of what happened, step by step."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.orm import Base, TimestampMixin, UUIDPrimaryKeyMixin, one_of, utc_now


class TaskStatus(StrEnum):
    """pending → planning → (pending, when not started yet) → running ⇄ paused → succeeded | failed |
    cancelled; shared.tasks.service holds the moves (start, pause, resume, cancel, retry)."""

    PENDING = "pending"
    PLANNING = "planning"
    RUNNING = "running"
    PAUSED = "paused"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED_TASK_STATUSES = frozenset({TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.CANCELLED})


class TaskPriority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"


# These go to the queue the worker drains first (SQS has no priorities within a queue).
HIGH_PRIORITIES = frozenset({TaskPriority.HIGH, TaskPriority.URGENT})


class LogLevel(StrEnum):
    DEBUG = "debug"
    INFO = "info"
    WARN = "warn"
    ERROR = "error"


LOG_LEVEL_ORDER = {level: rank for rank, level in enumerate(LogLevel)}


class Task(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    __tablename__ = "tasks"
    __table_args__ = (
        one_of("status", TaskStatus),
        one_of("priority", TaskPriority),
        CheckConstraint("current_step >= 0 AND total_steps >= 0", name="steps"),
        Index("ix_tasks_user_id_created_at", "user_id", "created_at"),
        Index("ix_tasks_status_updated_at", "status", "updated_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    intent: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=TaskStatus.PENDING, server_default="pending")
    priority: Mapped[str] = mapped_column(String(10), default=TaskPriority.MEDIUM, server_default="medium")
    # start the run as soon as the plan is made (else the plan waits for POST /tasks/{id}/start)
    auto_start: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    plan: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    current_step: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # steps done
    total_steps: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    error: Mapped[str | None] = mapped_column(Text)
    # the plan compiled into a workflow of the owner's, and its run of the moment (a retry makes another)
    workflow_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agent_workflows.id", ondelete="SET NULL"), index=True
    )
    execution_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agent_executions.id", ondelete="SET NULL"), index=True
    )
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TaskLog(UUIDPrimaryKeyMixin, Base):
    __tablename__ = "task_logs"
    __table_args__ = (
        one_of("level", LogLevel),
        Index("ix_task_logs_task_id_timestamp", "task_id", "timestamp"),
    )

    task_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(10), default=LogLevel.INFO)
    message: Mapped[str] = mapped_column(Text)
    step: Mapped[int | None] = mapped_column(Integer)
    log_metadata: Mapped[dict[str, Any]] = mapped_column("metadata", JSONB, default=dict, server_default="{}")
    timestamp: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


# The models named above by foreign key or relationship (see shared/orm.py).
import shared.executions.models  # noqa: E402
import shared.users.models  # noqa: E402
import shared.workflows.models  # noqa: E402, F401
