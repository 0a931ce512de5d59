"""Tracked queue jobs (seed 004's QueueJob): one row per message our code sends, updated by the worker
as it receives, runs, finishes or gives up on it."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.orm import Base, TimestampMixin, UUIDPrimaryKeyMixin, one_of


class QueueName(StrEnum):
    """Our queues (seed 004's QueueName, on SQS): the executions queue, the one the worker drains first,
    and the mail queue."""

    EXECUTIONS = "executions"
    PRIORITY = "priority"
    MAIL = "mail"


class JobStatus(StrEnum):
    """queued → running → completed, or failed (delivered again) … → dead (in the dead-letter queue)."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    DEAD = "dead"


class QueueJob(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    __tablename__ = "queue_jobs"
    __table_args__ = (
        one_of("queue", QueueName),
        one_of("status", JobStatus),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
        Index("ix_queue_jobs_status_created_at", "status", "created_at"),
    )

    queue: Mapped[str] = mapped_column(String(20), index=True)
    # SQS's MessageId of the last send (a redrive sends it again); null while it is being sent
    message_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    type: Mapped[str] = mapped_column(String(50), index=True)
    # what the message is about: "execution:<id>", "task:<id>", "mail:<template>", ...
    reference: Mapped[str | None] = mapped_column(String(120), index=True)
    task_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")  # redacted body
    body_encrypted: Mapped[str] = mapped_column(Text)  # the body as sent, for a redrive (Fernet)
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.QUEUED, server_default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # ApproximateReceiveCount
    max_attempts: Mapped[int] = mapped_column(Integer)
    redrives: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# The models named above by foreign key or relationship (see shared/orm.py).
import shared.tasks.models  # noqa: E402, F401
