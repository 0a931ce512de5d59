"""administration: roles, notices, runtime settings, sign-in details

Revision ID: 87b00b2dfc0b
Revises: d2492811ca05
Create Date: 2026-11-30 11:08:59.651639+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "87b00b2dfc0b"
down_revision: str | None = "d2492811ca05"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_windows",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name=op.f("pk_rate_windows")),
    )
    op.create_index(op.f("ix_rate_windows_window_start"), "rate_windows", ["window_start"], unique=False)
    op.create_table(
        "roles",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("remark", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), server_default="active", nullable=False),
        sa.Column(
            "permissions", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("status IN ('active', 'disabled')", name=op.f("ck_roles_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roles")),
    )
    op.create_index("uq_roles_name_lower", "roles", [sa.literal_column("lower(name)")], unique=True)
    op.create_table(
        "notices",
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("title_zh", sa.String(length=200), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_zh", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), server_default="draft", nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("status IN ('draft', 'published')", name=op.f("ck_notices_status")),
        sa.CheckConstraint(
            "starts_at IS NULL OR ends_at IS NULL OR ends_at > starts_at", name=op.f("ck_notices_period")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_notices_created_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )
    op.create_index("ix_notices_status_starts_at", "notices", ["status", "starts_at"], unique=False)
    op.create_table(
        "system_config",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["users.id"], name=op.f("fk_system_config_updated_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_system_config")),
    )
    op.create_table(
        "user_roles",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["role_id"], ["roles.id"], name=op.f("fk_user_roles_role_id_roles"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_roles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "role_id", name=op.f("pk_user_roles")),
    )
    op.create_index(op.f("ix_user_roles_role_id"), "user_roles", ["role_id"], unique=False)
    op.add_column("login_logs", sa.Column("os", sa.String(length=64), nullable=True))
    op.add_column("login_logs", sa.Column("browser", sa.String(length=64), nullable=True))
    op.add_column("login_logs", sa.Column("device", sa.String(length=64), nullable=True))
    op.add_column("login_logs", sa.Column("city", sa.String(length=128), nullable=True))
    op.create_index(op.f("ix_login_logs_created_at"), "login_logs", ["created_at"], unique=False)
    op.add_column(
        "user_sessions",
        sa.Column(
            "signed_in_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
    )
    op.add_column("user_sessions", sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
    # a live sign-in began when the first session of its family was made
    op.execute(
        "UPDATE user_sessions AS s SET signed_in_at = f.first, last_used_at = s.created_at "
        "FROM (SELECT family_id, min(created_at) AS first FROM user_sessions GROUP BY family_id) AS f "
        "WHERE s.family_id = f.family_id"
    )
    op.add_column(
        "users", sa.Column("is_multi_login", sa.Boolean(), server_default=sa.text("true"), nullable=False)
    )
    op.add_column("users", sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("users", sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "password_changed_at")
    op.drop_column("users", "last_login_at")
    op.drop_column("users", "is_multi_login")
    op.drop_column("user_sessions", "last_used_at")
    op.drop_column("user_sessions", "signed_in_at")
    op.drop_index(op.f("ix_login_logs_created_at"), table_name="login_logs")
    op.drop_column("login_logs", "city")
    op.drop_column("login_logs", "device")
    op.drop_column("login_logs", "browser")
    op.drop_column("login_logs", "os")
    op.drop_index(op.f("ix_user_roles_role_id"), table_name="user_roles")
    op.drop_table("user_roles")
    op.drop_table("system_config")
    op.drop_index("ix_notices_status_starts_at", table_name="notices")
    op.drop_table("notices")
    op.drop_index("uq_roles_name_lower", table_name="roles")
    op.drop_table("roles")
    op.drop_index(op.f("ix_rate_windows_window_start"), table_name="rate_windows")
    op.drop_table("rate_windows")
