"""user profiles and settings, nickname and avatar, failure mail cooldown of workflows

Revision ID: dd9fc1e39eb2
Revises: f9d71f123c6e
Create Date: 2026-11-30 10:34:26.326151+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "dd9fc1e39eb2"
down_revision: str | None = "f9d71f123c6e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_profiles",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("timezone", sa.String(length=64), server_default="UTC", nullable=False),
        sa.Column("email_notifications", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("linkedin_url", sa.String(length=500), nullable=True),
        sa.Column("github_url", sa.String(length=500), nullable=True),
        sa.Column("portfolio_url", sa.String(length=500), nullable=True),
        sa.Column("resume_url", sa.String(length=500), nullable=True),
        sa.Column(
            "social_accounts", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column(
            "preferred_airlines", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column("preferred_cabin_class", sa.String(length=20), nullable=True),
        sa.Column(
            "frequent_flyer_numbers",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "preferred_cabin_class IN ('economy', 'premium_economy', 'business', 'first')",
            name=op.f("ck_user_profiles_preferred_cabin_class_known"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_profiles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_profiles")),
    )
    op.create_table(
        "user_settings",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("default_llm_provider", sa.String(length=32), nullable=True),
        sa.Column("theme", sa.String(length=10), server_default="system", nullable=False),
        sa.Column("sidebar_collapsed", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("onboarding_completed", sa.Boolean(), server_default="false", nullable=False),
        sa.Column(
            "tours_completed", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column(
            "settings_json", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("theme IN ('light', 'dark', 'system')", name=op.f("ck_user_settings_theme_known")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_settings_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_settings")),
    )
    op.add_column(
        "agent_workflows", sa.Column("last_failure_mail_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "agent_workflows", sa.Column("failures_since_mail", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("users", sa.Column("nickname", sa.String(length=64), nullable=True))
    op.add_column("users", sa.Column("avatar_url", sa.String(length=500), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "avatar_url")
    op.drop_column("users", "nickname")
    op.drop_column("agent_workflows", "failures_since_mail")
    op.drop_column("agent_workflows", "last_failure_mail_at")
    op.drop_table("user_settings")
    op.drop_table("user_profiles")
