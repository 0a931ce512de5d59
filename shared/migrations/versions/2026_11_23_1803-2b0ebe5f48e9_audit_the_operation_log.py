"""audit: the operation log

Revision ID: 2b0ebe5f48e9
Revises: f3408e954151
Create Date: 2026-11-23 18:03:05.588967+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "2b0ebe5f48e9"
down_revision: str | None = "f3408e954151"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "operation_logs",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("trace_id", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("username", sa.String(length=50), nullable=True),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("ip", sa.String(length=128), nullable=True),
        sa.Column("args", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("msg", sa.Text(), nullable=True),
        sa.Column("cost_time", sa.Float(), nullable=False),
        sa.Column("opera_time", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_operation_logs_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operation_logs")),
    )
    op.create_index(op.f("ix_operation_logs_opera_time"), "operation_logs", ["opera_time"], unique=False)
    op.create_index(op.f("ix_operation_logs_trace_id"), "operation_logs", ["trace_id"], unique=False)
    op.create_index(op.f("ix_operation_logs_user_id"), "operation_logs", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_operation_logs_user_id"), table_name="operation_logs")
    op.drop_index(op.f("ix_operation_logs_trace_id"), table_name="operation_logs")
    op.drop_index(op.f("ix_operation_logs_opera_time"), table_name="operation_logs")
    op.drop_table("operation_logs")
