"""workflows: version snapshots, the encrypted webhook secret, accepted webhook signatures

Revision ID: 793682f73237
Revises: a1fd259e0c05
Create Date: 2026-11-22 06:01:33.026363+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "793682f73237"
down_revision: str | None = "a1fd259e0c05"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhook_deliveries",
        sa.Column("signature_hash", sa.String(length=64), nullable=False),
        sa.Column("workflow_id", sa.Uuid(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["workflow_id"],
            ["agent_workflows.id"],
            name=op.f("fk_webhook_deliveries_workflow_id_agent_workflows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("signature_hash", name=op.f("pk_webhook_deliveries")),
    )
    op.create_index(
        op.f("ix_webhook_deliveries_received_at"), "webhook_deliveries", ["received_at"], unique=False
    )
    op.create_table(
        "workflow_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workflow_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("snapshot", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["workflow_id"],
            ["agent_workflows.id"],
            name=op.f("fk_workflow_versions_workflow_id_agent_workflows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_versions")),
        sa.UniqueConstraint("workflow_id", "version", name=op.f("uq_workflow_versions_workflow_id_version")),
    )
    op.add_column("agent_workflows", sa.Column("webhook_secret_encrypted", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("agent_workflows", "webhook_secret_encrypted")
    op.drop_table("workflow_versions")
    op.drop_index(op.f("ix_webhook_deliveries_received_at"), table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
