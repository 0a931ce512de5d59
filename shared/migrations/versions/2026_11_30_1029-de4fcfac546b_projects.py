"""projects

Revision ID: de4fcfac546b
Revises: d4496e84c7c3
Create Date: 2026-11-30 10:29:43.539558+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "de4fcfac546b"
down_revision: str | None = "d4496e84c7c3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("icon", sa.String(length=50), server_default="folder", nullable=False),
        sa.Column("color", sa.String(length=20), server_default="#f97316", nullable=False),
        sa.Column("is_default", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("is_archived", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("sort_order", sa.Integer(), server_default="0", nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_projects_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
    )
    op.create_index(op.f("ix_projects_user_id"), "projects", ["user_id"], unique=False)
    op.create_index(
        "uq_projects_user_id_default",
        "projects",
        ["user_id"],
        unique=True,
        postgresql_where=sa.text("is_default"),
    )
    op.add_column("agent_workflows", sa.Column("project_id", sa.Uuid(), nullable=True))
    op.create_index(op.f("ix_agent_workflows_project_id"), "agent_workflows", ["project_id"], unique=False)
    op.create_foreign_key(
        op.f("fk_agent_workflows_project_id_projects"),
        "agent_workflows",
        "projects",
        ["project_id"],
        ["id"],
        ondelete="SET NULL",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("fk_agent_workflows_project_id_projects"), "agent_workflows", type_="foreignkey")
    op.drop_index(op.f("ix_agent_workflows_project_id"), table_name="agent_workflows")
    op.drop_column("agent_workflows", "project_id")
    op.drop_index(
        "uq_projects_user_id_default", table_name="projects", postgresql_where=sa.text("is_default")
    )
    op.drop_index(op.f("ix_projects_user_id"), table_name="projects")
    op.drop_table("projects")
