"""llm gateway: usage, credits, holds, provider keys

Revision ID: d4496e84c7c3
Revises: ebd0ad94d369
Create Date: 2026-11-30 09:42:40.019644+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d4496e84c7c3"
down_revision: str | None = "ebd0ad94d369"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "credit_holds",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("credits", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("bonus_credits", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("reference", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_credit_holds_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_holds")),
    )
    op.create_index(op.f("ix_credit_holds_created_at"), "credit_holds", ["created_at"], unique=False)
    op.create_index(op.f("ix_credit_holds_user_id"), "credit_holds", ["user_id"], unique=False)
    op.create_table(
        "credit_transactions",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("bonus_amount", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("credits_after", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("bonus_credits_after", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("reference", sa.String(length=120), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.CheckConstraint(
            "kind IN ('grant', 'bonus_grant', 'consume', 'refund', 'hold', 'release')",
            name=op.f("ck_credit_transactions_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_credit_transactions_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_credit_transactions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_transactions")),
    )
    op.create_index(
        "ix_credit_transactions_user_id_created_at",
        "credit_transactions",
        ["user_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "llm_provider_keys",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("api_key_encrypted", sa.Text(), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_llm_provider_keys_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_llm_provider_keys")),
        sa.UniqueConstraint("user_id", "provider", name=op.f("uq_llm_provider_keys_user_id_provider")),
    )
    op.create_index(op.f("ix_llm_provider_keys_user_id"), "llm_provider_keys", ["user_id"], unique=False)
    op.create_table(
        "usage_metrics",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("session_type", sa.String(length=32), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("provider", sa.String(length=50), nullable=False),
        sa.Column("prompt_tokens", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("completion_tokens", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("credits", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("calls", sa.Integer(), server_default="0", nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_usage_metrics_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_metrics")),
        sa.UniqueConstraint(
            "session_type", "session_id", "model", name=op.f("uq_usage_metrics_session_type_session_id_model")
        ),
    )
    op.create_index(
        "ix_usage_metrics_user_id_created_at", "usage_metrics", ["user_id", "created_at"], unique=False
    )
    op.add_column(
        "agent_executions",
        sa.Column("credits_used", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
    )
    op.add_column("agent_workflows", sa.Column("llm_provider", sa.String(length=32), nullable=True))
    op.add_column(
        "users", sa.Column("credits", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False)
    )
    op.add_column(
        "users",
        sa.Column("bonus_credits", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_users_balances_not_negative"), "users", "credits >= 0 AND bonus_credits >= 0"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_users_balances_not_negative"), "users", type_="check")
    op.drop_column("users", "bonus_credits")
    op.drop_column("users", "credits")
    op.drop_column("agent_workflows", "llm_provider")
    op.drop_column("agent_executions", "credits_used")
    op.drop_index("ix_usage_metrics_user_id_created_at", table_name="usage_metrics")
    op.drop_table("usage_metrics")
    op.drop_index(op.f("ix_llm_provider_keys_user_id"), table_name="llm_provider_keys")
    op.drop_table("llm_provider_keys")
    op.drop_index("ix_credit_transactions_user_id_created_at", table_name="credit_transactions")
    op.drop_table("credit_transactions")
    op.drop_index(op.f("ix_credit_holds_user_id"), table_name="credit_holds")
    op.drop_index(op.f("ix_credit_holds_created_at"), table_name="credit_holds")
    op.drop_table("credit_holds")
