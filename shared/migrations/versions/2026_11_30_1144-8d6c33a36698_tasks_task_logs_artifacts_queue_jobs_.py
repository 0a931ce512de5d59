"""tasks, task logs, artifacts, queue jobs, tool executions; executions can pause

Revision ID: 8d6c33a36698
Revises: 87b00b2dfc0b
Create Date: 2026-11-30 11:44:38.091930+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "8d6c33a36698"
down_revision: str | None = "87b00b2dfc0b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tasks",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("intent", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("priority", sa.String(length=10), server_default="medium", nullable=False),
        sa.Column("auto_start", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("plan", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("current_step", sa.Integer(), server_default="0", nullable=False),
        sa.Column("total_steps", sa.Integer(), server_default="0", nullable=False),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("workflow_id", sa.Uuid(), nullable=True),
        sa.Column("execution_id", sa.Uuid(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("priority IN ('low', 'medium', 'high', 'urgent')", name=op.f("ck_tasks_priority")),
        sa.CheckConstraint(
            "status IN ('pending', 'planning', 'running', 'paused', 'succeeded', 'failed', 'cancelled')",
            name=op.f("ck_tasks_status"),
        ),
        sa.CheckConstraint("current_step >= 0 AND total_steps >= 0", name=op.f("ck_tasks_steps")),
        sa.ForeignKeyConstraint(
            ["execution_id"],
            ["agent_executions.id"],
            name=op.f("fk_tasks_execution_id_agent_executions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_tasks_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workflow_id"],
            ["agent_workflows.id"],
            name=op.f("fk_tasks_workflow_id_agent_workflows"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    op.create_index(op.f("ix_tasks_execution_id"), "tasks", ["execution_id"], unique=False)
    op.create_index("ix_tasks_status_updated_at", "tasks", ["status", "updated_at"], unique=False)
    op.create_index("ix_tasks_user_id_created_at", "tasks", ["user_id", "created_at"], unique=False)
    op.create_index(op.f("ix_tasks_workflow_id"), "tasks", ["workflow_id"], unique=False)
    op.create_table(
        "queue_jobs",
        sa.Column("queue", sa.String(length=20), nullable=False),
        sa.Column("message_id", sa.String(length=100), nullable=True),
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("reference", sa.String(length=120), nullable=True),
        sa.Column("task_id", sa.Uuid(), nullable=True),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("body_encrypted", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="queued", nullable=False),
        sa.Column("progress", sa.Integer(), server_default="0", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("redrives", sa.Integer(), server_default="0", nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("queue IN ('executions', 'priority', 'mail')", name=op.f("ck_queue_jobs_queue")),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'completed', 'failed', 'dead')",
            name=op.f("ck_queue_jobs_status"),
        ),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name=op.f("ck_queue_jobs_progress")),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_queue_jobs_task_id_tasks"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue_jobs")),
        sa.UniqueConstraint("message_id", name=op.f("uq_queue_jobs_message_id")),
    )
    op.create_index(op.f("ix_queue_jobs_queue"), "queue_jobs", ["queue"], unique=False)
    op.create_index(op.f("ix_queue_jobs_reference"), "queue_jobs", ["reference"], unique=False)
    op.create_index("ix_queue_jobs_status_created_at", "queue_jobs", ["status", "created_at"], unique=False)
    op.create_index(op.f("ix_queue_jobs_task_id"), "queue_jobs", ["task_id"], unique=False)
    op.create_index(op.f("ix_queue_jobs_type"), "queue_jobs", ["type"], unique=False)
    op.create_table(
        "task_artifacts",
        sa.Column("execution_id", sa.Uuid(), nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("node_id", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("s3_key", sa.String(length=1024), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mime_type", sa.String(length=255), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.CheckConstraint(
            "type IN ('screenshot', 'pdf', 'file', 'image', 'video', 'json', 'text')",
            name=op.f("ck_task_artifacts_type"),
        ),
        sa.CheckConstraint("size >= 0", name=op.f("ck_task_artifacts_size")),
        sa.ForeignKeyConstraint(
            ["execution_id"],
            ["agent_executions.id"],
            name=op.f("fk_task_artifacts_execution_id_agent_executions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_task_artifacts_task_id_tasks"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_task_artifacts_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_artifacts")),
        sa.UniqueConstraint("s3_key", name=op.f("uq_task_artifacts_s3_key")),
    )
    op.create_index(op.f("ix_task_artifacts_created_at"), "task_artifacts", ["created_at"], unique=False)
    op.create_index(
        "ix_task_artifacts_execution_id_created_at",
        "task_artifacts",
        ["execution_id", "created_at"],
        unique=False,
    )
    op.create_index(op.f("ix_task_artifacts_task_id"), "task_artifacts", ["task_id"], unique=False)
    op.create_index(op.f("ix_task_artifacts_user_id"), "task_artifacts", ["user_id"], unique=False)
    op.create_table(
        "task_logs",
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.CheckConstraint("level IN ('debug', 'info', 'warn', 'error')", name=op.f("ck_task_logs_level")),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_task_logs_task_id_tasks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_logs")),
    )
    op.create_index("ix_task_logs_task_id_timestamp", "task_logs", ["task_id", "timestamp"], unique=False)
    op.create_table(
        "tool_executions",
        sa.Column("execution_id", sa.Uuid(), nullable=True),
        sa.Column("task_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("node_id", sa.String(length=100), nullable=True),
        sa.Column("tool_type", sa.String(length=20), nullable=False),
        sa.Column("tool", sa.String(length=255), nullable=False),
        sa.Column("skill_id", sa.Uuid(), nullable=True),
        sa.Column("attempt", sa.Integer(), server_default="1", nullable=False),
        sa.Column("input", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("output", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'running', 'completed', 'failed')", name=op.f("ck_tool_executions_status")
        ),
        sa.CheckConstraint(
            "tool_type IN ('skill', 'http', 'mcp', 'llm', 'agent')", name=op.f("ck_tool_executions_tool_type")
        ),
        sa.CheckConstraint(
            "execution_id IS NOT NULL OR task_id IS NOT NULL",
            name=op.f("ck_tool_executions_execution_or_task"),
        ),
        sa.ForeignKeyConstraint(
            ["execution_id"],
            ["agent_executions.id"],
            name=op.f("fk_tool_executions_execution_id_agent_executions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"], ["skills.id"], name=op.f("fk_tool_executions_skill_id_skills"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_tool_executions_task_id_tasks"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_tool_executions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tool_executions")),
    )
    op.create_index(op.f("ix_tool_executions_created_at"), "tool_executions", ["created_at"], unique=False)
    op.create_index(
        "ix_tool_executions_execution_id_started_at",
        "tool_executions",
        ["execution_id", "started_at"],
        unique=False,
    )
    op.create_index(
        "ix_tool_executions_skill_id_status", "tool_executions", ["skill_id", "status"], unique=False
    )
    op.create_index(op.f("ix_tool_executions_task_id"), "tool_executions", ["task_id"], unique=False)
    op.create_index(op.f("ix_tool_executions_user_id"), "tool_executions", ["user_id"], unique=False)
    op.add_column(
        "agent_executions", sa.Column("pause_requested_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("agent_executions", "pause_requested_at")
    op.drop_index(op.f("ix_tool_executions_user_id"), table_name="tool_executions")
    op.drop_index(op.f("ix_tool_executions_task_id"), table_name="tool_executions")
    op.drop_index("ix_tool_executions_skill_id_status", table_name="tool_executions")
    op.drop_index("ix_tool_executions_execution_id_started_at", table_name="tool_executions")
    op.drop_index(op.f("ix_tool_executions_created_at"), table_name="tool_executions")
    op.drop_table("tool_executions")
    op.drop_index("ix_task_logs_task_id_timestamp", table_name="task_logs")
    op.drop_table("task_logs")
    op.drop_index(op.f("ix_task_artifacts_user_id"), table_name="task_artifacts")
    op.drop_index(op.f("ix_task_artifacts_task_id"), table_name="task_artifacts")
    op.drop_index("ix_task_artifacts_execution_id_created_at", table_name="task_artifacts")
    op.drop_index(op.f("ix_task_artifacts_created_at"), table_name="task_artifacts")
    op.drop_table("task_artifacts")
    op.drop_index(op.f("ix_queue_jobs_type"), table_name="queue_jobs")
    op.drop_index(op.f("ix_queue_jobs_task_id"), table_name="queue_jobs")
    op.drop_index("ix_queue_jobs_status_created_at", table_name="queue_jobs")
    op.drop_index(op.f("ix_queue_jobs_reference"), table_name="queue_jobs")
    op.drop_index(op.f("ix_queue_jobs_queue"), table_name="queue_jobs")
    op.drop_table("queue_jobs")
    op.drop_index(op.f("ix_tasks_workflow_id"), table_name="tasks")
    op.drop_index("ix_tasks_user_id_created_at", table_name="tasks")
    op.drop_index("ix_tasks_status_updated_at", table_name="tasks")
    op.drop_index(op.f("ix_tasks_execution_id"), table_name="tasks")
    op.drop_table("tasks")
