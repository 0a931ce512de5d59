"""Agents built from the Q&A wizard (seed 003's agent_components), and conversations with an agent or a
workflow with their messages (seed 003's conversations and messages)."""

import uuid
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.orm import Base, TimestampMixin, UUIDPrimaryKeyMixin

DEFAULT_ICON = "bot"
DEFAULT_COLOR = "#7C3AED"
MESSAGE_ROLES = ("user", "assistant", "system", "tool")
MESSAGE_STATUSES = ("complete", "pending", "failed")


class Agent(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """Who it is, the rules it follows and the tricks it knows, the system prompt made of them, its
    model and its tools (`[{"type": "workflow" | "skill" | "memory" | "mcp", ...}]`)."""

    __tablename__ = "agents"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    icon: Mapped[str] = mapped_column(String(50), default=DEFAULT_ICON, server_default=DEFAULT_ICON)
    color: Mapped[str] = mapped_column(String(20), default=DEFAULT_COLOR, server_default=DEFAULT_COLOR)
    avatar_url: Mapped[str | None] = mapped_column(String(500))
    qa_who: Mapped[str] = mapped_column(Text)
    qa_rules: Mapped[str] = mapped_column(Text)
    qa_tricks: Mapped[str] = mapped_column(Text, default="", server_default="")
    system_prompt: Mapped[str] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(String(100))  # None: LLM_DEFAULT_MODEL
    temperature: Mapped[float] = mapped_column(Float, default=0.7, server_default="0.7")
    tools: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")
    # published: anyone may read it; published for chat: anyone signed in may chat with it (on their credits)
    is_published: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false", index=True)
    is_public_chat: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")


class Conversation(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A user's chat with one agent or one workflow; the title comes from its first message."""

    __tablename__ = "conversations"
    __table_args__ = (
        CheckConstraint("(agent_id IS NULL) <> (workflow_id IS NULL)", name="one_partner"),
        Index("ix_conversations_user_id_updated_at", "user_id", "updated_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    agent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), index=True
    )
    workflow_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agent_workflows.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str | None] = mapped_column(String(255))


class Message(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """One message of a conversation. An assistant message may be `pending` (the worker finishes it) or
    `failed`; `message_metadata` holds the model, usage, tool calls, latency, an execution id."""

    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint(f"role IN {MESSAGE_ROLES}", name="role"),
        CheckConstraint(f"status IN {MESSAGE_STATUSES}", name="status"),
        Index("ix_messages_conversation_id_created_at", "conversation_id", "created_at"),
    )

    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[str] = mapped_column(String(20), default="complete", server_default="complete")
    message_metadata: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")


# The models named above by foreign key or relationship (see shared/orm.py).
import shared.projects.models  # noqa: E402
import shared.users.models  # noqa: E402
import shared.workflows.models  # noqa: E402, F401
