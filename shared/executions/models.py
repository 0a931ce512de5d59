"""Workflow runs and their per-node logs (seed 000: agent_executions)."""

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.orm import Base, TimestampMixin, UUIDPrimaryKeyMixin

if TYPE_CHECKING:
    from shared.workflows.models import AgentWorkflow


class ExecutionStatus(StrEnum):
    """pending → running → completed | failed | cancelled; only shared.executions.lifecycle writes it."""

    PENDING = "pending"
    RUNNING = "running"
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
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    workflow: Mapped["AgentWorkflow"] = relationship(back_populates="executions")
