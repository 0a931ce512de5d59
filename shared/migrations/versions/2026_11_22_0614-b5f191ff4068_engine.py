"""engine: cancel requests on executions, success notifications on workflows

Revision ID: b5f191ff4068
Revises: 793682f73237
Create Date: 2026-11-22 06:14:33.736730+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b5f191ff4068"
down_revision: str | None = "793682f73237"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "agent_executions", sa.Column("cancel_requested_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "agent_workflows",
        sa.Column("notify_on_success", sa.Boolean(), server_default="false", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("agent_workflows", "notify_on_success")
    op.drop_column("agent_executions", "cancel_requested_at")
