"""Workflow runs and their per-node logs (seed 000: agent_executions)."""

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.orm import Base, TimestampMixin, UUIDPrimaryKeyMixin, map_with, one_of, utc_now


class ExecutionStatus(StrEnum):
    """pending → running → completed | failed | cancelled, and running → paused → pending when a task's
    owner pauses and resumes it between steps; only shared.executions.lifecycle writes it."""

    PENDING = "pending"
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED_STATUSES = frozenset({ExecutionStatus.COMPLETED, ExecutionStatus.FAILED, ExecutionStatus.CANCELLED})


class AgentExecution(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    __tablename__ = "agent_executions"
    __table_args__ = (
        # A scheduled fire delivered twice by SQS creates one execution; manual runs have no scheduled_at.
        UniqueConstraint("workflow_id", "scheduled_at"),
        Index("ix_agent_executions_user_id_created_at", "user_id", "created_at"),
        Index("ix_agent_executions_status_updated_at", "status", "updated_at"),
    )

    workflow_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agent_workflows.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    workflow_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    status: Mapped[str] = mapped_column(
        String(20), default=ExecutionStatus.PENDING, server_default=ExecutionStatus.PENDING.value
    )
    input_data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    output_data: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    error_message: Mapped[str | None] = mapped_column(Text)
    execution_log: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")
    token_usage: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    total_api_calls: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # what the run's model calls were charged (shared.llm); its usage per model is in usage_metrics
    credits_used: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0), server_default="0")
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    trigger_type: Mapped[str] = mapped_column(String(50), default="manual", server_default="manual")
    trigger_metadata: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    scheduled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    retry_of_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agent_executions.id", ondelete="SET NULL")
    )
    # Set by POST executions/{id}/cancel on a running execution; the engine stops before its next node.
    cancel_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set when a task's owner pauses it; the engine stops before its next node and the run waits, paused.
    pause_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def task_id(self) -> uuid.UUID | None:
        """The task whose run this is (shared.tasks puts it in the trigger metadata), if any."""
        task_id = (self.trigger_metadata or {}).get("task_id")
        return uuid.UUID(task_id) if task_id else None


TOOL_TYPES = ("skill", "http", "mcp", "llm", "agent")
TOOL_CALL_STATUSES = ("pending", "running", "completed", "failed")  # the seed's ExecutionStatus


class ToolExecution(UUIDPrimaryKeyMixin, Base):
    """One call a run (or a task's planner) made to a tool: a skill, an HTTP endpoint, an MCP tool, a model
    (seed 004's ToolExecution). Inputs are the run log's (secrets scrubbed), outputs capped."""

    __tablename__ = "tool_executions"
    __table_args__ = (
        one_of("tool_type", TOOL_TYPES),
        one_of("status", TOOL_CALL_STATUSES),
        CheckConstraint("execution_id IS NOT NULL OR task_id IS NOT NULL", name="execution_or_task"),
        Index("ix_tool_executions_execution_id_started_at", "execution_id", "started_at"),
        Index("ix_tool_executions_skill_id_status", "skill_id", "status"),
    )

    execution_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agent_executions.id", ondelete="CASCADE")
    )
    task_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    node_id: Mapped[str | None] = mapped_column(String(100))
    tool_type: Mapped[str] = mapped_column(String(20))
    tool: Mapped[str] = mapped_column(String(255))  # the skill's slug, "GET host", the model, ...
    skill_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("skills.id", ondelete="SET NULL"))
    attempt: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    input: Mapped[Any] = mapped_column(JSONB)
    output: Mapped[Any | None] = mapped_column(JSONB)
    error: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    duration_ms: Mapped[float | None] = mapped_column(Float)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, index=True)


# The models named above by foreign key or relationship (see shared/orm.py); the tasks' models name
# agent_executions back, so they are imported when the mappers are configured.
import shared.catalog.models  # noqa: E402
import shared.users.models  # noqa: E402
import shared.workflows.models  # noqa: E402, F401

map_with("shared.tasks.models")
