"""Agent workflows (seed 000: agent_workflows) and who starred them (workflow_stars)."""

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.orm import Base, TimestampMixin, UUIDPrimaryKeyMixin

if TYPE_CHECKING:
    from shared.users.models import User


def starter_graph() -> dict[str, Any]:
    """The smallest valid graph: its one input node (every graph needs exactly one)."""
    return {
        "nodes": [{"id": "input", "type": "input", "data": {}, "position": {"x": 0, "y": 0}}],
        "edges": [],
        "viewport": {"x": 0, "y": 0, "zoom": 1},
    }


class AgentWorkflow(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    __tablename__ = "agent_workflows"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    name_zh: Mapped[str | None] = mapped_column(String(255))
    slug: Mapped[str] = mapped_column(String(255), unique=True, index=True)
    description: Mapped[str | None] = mapped_column(Text)
    description_zh: Mapped[str | None] = mapped_column(Text)
    icon: Mapped[str | None] = mapped_column(String(100))
    graph_json: Mapped[dict[str, Any]] = mapped_column(JSONB, default=starter_graph)
    trigger_type: Mapped[str] = mapped_column(String(50), default="manual", server_default="manual")
    trigger_config: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    input_schema: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    llm_model: Mapped[str] = mapped_column(
        String(100), default="deepseek-chat", server_default="deepseek-chat"
    )
    # with a provider, its llm nodes run on the owner's own key for it (not charged); else on the platform's
    llm_provider: Mapped[str | None] = mapped_column(String(32))
    system_prompt: Mapped[str | None] = mapped_column(Text)
    temperature: Mapped[float] = mapped_column(Float, default=0.7, server_default="0.7")
    is_public: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false", index=True)
    is_template: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false", index=True)
    forked_from_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agent_workflows.id", ondelete="SET NULL"), index=True
    )
    fork_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    run_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    star_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    version_history: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")
    # Mail the owner when a run completes (failures are mailed unless the owner turned run mail off).
    notify_on_success: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    # Failure mail is sent at most once per NOTIFY_FAILURE_COOLDOWN_MINUTES; the failures in between
    # are counted, and the next failure mail says how many (shared.executions.notifications).
    last_failure_mail_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failures_since_mail: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # offered as a tool of ainav's MCP endpoint to its owner (shared.mcp.served_tools)
    mcp_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    # Fernet ciphertext of the webhook signing secret; never returned after the response that made it.
    webhook_secret_encrypted: Mapped[str | None] = mapped_column(Text)

    user: Mapped["User"] = relationship()
    forked_from: Mapped["AgentWorkflow | None"] = relationship(remote_side="AgentWorkflow.id")

    @property
    def active_schedule(self) -> bool:
        """Scheduled and enabled: EventBridge Scheduler holds its schedule and its fires run."""
        return self.trigger_type == "schedule" and bool(self.trigger_config.get("enabled", True))


class WorkflowStar(Base):
    """One user's star on one workflow; its rows are the truth behind `star_count`."""

    __tablename__ = "workflow_stars"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    workflow_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agent_workflows.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class WorkflowVersion(Base):
    """A full snapshot of one version of a workflow, so a run executes exactly what it was pinned to."""

    __tablename__ = "workflow_versions"
    __table_args__ = (UniqueConstraint("workflow_id", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    workflow_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agent_workflows.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    changes: Mapped[list[str]] = mapped_column(JSONB, default=list)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class WebhookDelivery(Base):
    """A signature already accepted, so the same signed request cannot be replayed."""

    __tablename__ = "webhook_deliveries"

    signature_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    workflow_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agent_workflows.id", ondelete="CASCADE"))
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False, index=True
    )


# The models named above by foreign key or relationship (see shared/orm.py).
import shared.projects.models  # noqa: E402
import shared.users.models  # noqa: E402, F401
