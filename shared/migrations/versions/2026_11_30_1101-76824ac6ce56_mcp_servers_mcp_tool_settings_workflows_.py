"""mcp servers, mcp tool settings, workflows mcp_enabled

Revision ID: 76824ac6ce56
Revises: dd9fc1e39eb2
Create Date: 2026-11-30 11:01:10.883990+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "76824ac6ce56"
down_revision: str | None = "dd9fc1e39eb2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mcp_tool_settings",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("tool_type", sa.String(length=64), nullable=False),
        sa.Column("mcp_config", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("auth_json_encrypted", sa.Text(), nullable=True),
        sa.Column(
            "metadata_json", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("store_path", sa.String(length=256), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_mcp_tool_settings_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mcp_tool_settings")),
        sa.UniqueConstraint("user_id", "tool_type", name=op.f("uq_mcp_tool_settings_user_id_tool_type")),
    )
    op.create_index(op.f("ix_mcp_tool_settings_user_id"), "mcp_tool_settings", ["user_id"], unique=False)
    op.create_table(
        "mcp_servers",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("transport", sa.String(length=20), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("command", sa.String(length=500), nullable=True),
        sa.Column("args", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("credentials_encrypted", sa.Text(), nullable=True),
        sa.Column("is_enabled", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("needs_sync", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("last_health_check", sa.DateTime(timezone=True), nullable=True),
        sa.Column("health_status", sa.String(length=20), server_default="unknown", nullable=False),
        sa.Column("tools", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "health_status IN ('healthy', 'unhealthy', 'unknown')", name=op.f("ck_mcp_servers_health_status")
        ),
        sa.CheckConstraint(
            "transport IN ('streamable_http', 'sse', 'stdio')", name=op.f("ck_mcp_servers_transport")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_mcp_servers_project_id_projects"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_mcp_servers_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mcp_servers")),
        sa.UniqueConstraint("user_id", "name", name=op.f("uq_mcp_servers_user_id_name")),
    )
    op.create_index(op.f("ix_mcp_servers_project_id"), "mcp_servers", ["project_id"], unique=False)
    op.create_index(op.f("ix_mcp_servers_user_id"), "mcp_servers", ["user_id"], unique=False)
    op.add_column(
        "agent_workflows", sa.Column("mcp_enabled", sa.Boolean(), server_default="false", nullable=False)
    )


def downgrade() -> None:
    op.drop_column("agent_workflows", "mcp_enabled")
    op.drop_index(op.f("ix_mcp_servers_user_id"), table_name="mcp_servers")
    op.drop_index(op.f("ix_mcp_servers_project_id"), table_name="mcp_servers")
    op.drop_table("mcp_servers")
    op.drop_index(op.f("ix_mcp_tool_settings_user_id"), table_name="mcp_tool_settings")
    op.drop_table("mcp_tool_settings")
