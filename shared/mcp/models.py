"""Remote MCP servers a user registered (seed 003's `mcp_servers`) and per-user MCP settings of client
tools such as Claude Code, Codex or Cursor (seed 001's `agent_mcp_settings`, here `mcp_tool_settings`)."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.orm import Base, TimestampMixin, UUIDPrimaryKeyMixin

TRANSPORTS = ("streamable_http", "sse", "stdio")
HTTP_TRANSPORTS = ("streamable_http", "sse")
HEALTH_STATUSES = ("healthy", "unhealthy", "unknown")


class McpServer(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A remote MCP server: reached over Streamable HTTP or SSE from workflows and agents, or a `stdio`
    command that cannot run in Lambda and is kept for the settings export. Its headers and environment
    are Fernet-encrypted together (`{"headers": {...}, "env": {...}}`) and never returned."""

    __tablename__ = "mcp_servers"
    __table_args__ = (
        UniqueConstraint("user_id", "name"),
        CheckConstraint(f"transport IN {TRANSPORTS}", name="transport"),
        CheckConstraint(f"health_status IN {HEALTH_STATUSES}", name="health_status"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    transport: Mapped[str] = mapped_column(String(20), default="streamable_http")
    url: Mapped[str | None] = mapped_column(String(2048))
    command: Mapped[str | None] = mapped_column(String(500))
    args: Mapped[list[str]] = mapped_column(JSONB, default=list, server_default="[]")
    credentials_encrypted: Mapped[str | None] = mapped_column(Text)
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    # a check is due: the server is new or its connection changed, and no check has run since
    needs_sync: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    last_health_check: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    health_status: Mapped[str] = mapped_column(String(20), default="unknown", server_default="unknown")
    # the cached `tools/list` ([{name, description, inputSchema, annotations?}]); None: never listed
    tools: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    error: Mapped[str | None] = mapped_column(Text)  # why the last check failed


class McpToolSetting(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """One user's MCP configuration of one client tool (`claude_code`, `codex`, `cursor`,
    `custom:<slug>`): its own `{"mcpServers": {...}}`, the tool's credentials (`auth_json`,
    Fernet-encrypted, never returned), free-form metadata and where a sandbox keeps the credentials."""

    __tablename__ = "mcp_tool_settings"
    __table_args__ = (UniqueConstraint("user_id", "tool_type"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    tool_type: Mapped[str] = mapped_column(String(64))
    mcp_config: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    auth_json_encrypted: Mapped[str | None] = mapped_column(Text)
    metadata_json: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    store_path: Mapped[str | None] = mapped_column(String(256))


# The models named above by foreign key or relationship (see shared/orm.py).
import shared.projects.models  # noqa: E402
import shared.users.models  # noqa: E402, F401
