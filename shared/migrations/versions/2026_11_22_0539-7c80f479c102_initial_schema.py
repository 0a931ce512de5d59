"""initial schema: the vector and pg_trgm extensions and every table of seed 000

Revision ID: 7c80f479c102
Revises:
Create Date: 2026-11-22 05:39:16.756180+00:00
"""

from collections.abc import Sequence

import pgvector.sqlalchemy
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "7c80f479c102"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "categories",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("icon", sa.String(length=255), nullable=True),
        sa.Column("order", sa.Integer(), server_default="0", nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
    )
    op.create_index(op.f("ix_categories_slug"), "categories", ["slug"], unique=True)
    op.create_table(
        "scenarios",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("icon", sa.String(length=255), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenarios")),
    )
    op.create_index(op.f("ix_scenarios_slug"), "scenarios", ["slug"], unique=True)
    op.create_table(
        "users",
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("username", sa.String(length=50), nullable=False),
        sa.Column("hashed_password", sa.String(length=255), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("is_superuser", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("github_id", sa.String(length=50), nullable=True),
        sa.Column("wechat_id", sa.String(length=50), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    op.create_index(op.f("ix_users_email"), "users", ["email"], unique=True)
    op.create_index(op.f("ix_users_github_id"), "users", ["github_id"], unique=True)
    op.create_index(op.f("ix_users_phone"), "users", ["phone"], unique=True)
    op.create_index(op.f("ix_users_username"), "users", ["username"], unique=True)
    op.create_index(op.f("ix_users_wechat_id"), "users", ["wechat_id"], unique=True)
    op.create_table(
        "agent_workflows",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("name_zh", sa.String(length=255), nullable=True),
        sa.Column("slug", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("description_zh", sa.Text(), nullable=True),
        sa.Column("icon", sa.String(length=100), nullable=True),
        sa.Column("graph_json", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("trigger_type", sa.String(length=50), server_default="manual", nullable=False),
        sa.Column(
            "trigger_config", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column(
            "input_schema", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("llm_model", sa.String(length=100), server_default="deepseek-chat", nullable=False),
        sa.Column("system_prompt", sa.Text(), nullable=True),
        sa.Column("temperature", sa.Float(), server_default="0.7", nullable=False),
        sa.Column("is_public", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("is_template", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("forked_from_id", sa.Uuid(), nullable=True),
        sa.Column("fork_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("run_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("star_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "version_history", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["forked_from_id"],
            ["agent_workflows.id"],
            name=op.f("fk_agent_workflows_forked_from_id_agent_workflows"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_agent_workflows_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_workflows")),
    )
    op.create_index(
        op.f("ix_agent_workflows_forked_from_id"), "agent_workflows", ["forked_from_id"], unique=False
    )
    op.create_index(op.f("ix_agent_workflows_is_public"), "agent_workflows", ["is_public"], unique=False)
    op.create_index(op.f("ix_agent_workflows_is_template"), "agent_workflows", ["is_template"], unique=False)
    op.create_index(op.f("ix_agent_workflows_slug"), "agent_workflows", ["slug"], unique=True)
    op.create_index(op.f("ix_agent_workflows_user_id"), "agent_workflows", ["user_id"], unique=False)
    op.create_table(
        "tools",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("name_zh", sa.String(length=255), nullable=True),
        sa.Column("slug", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("description_zh", sa.Text(), nullable=True),
        sa.Column("url", sa.String(length=512), nullable=False),
        sa.Column("logo_url", sa.String(length=512), nullable=True),
        sa.Column("pricing_type", sa.String(length=50), server_default="free", nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column("is_china_accessible", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("requires_vpn", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("avg_rating", sa.Float(), server_default="0", nullable=False),
        sa.Column("review_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("github_stars", sa.Integer(), server_default="0", nullable=False),
        sa.Column("has_api", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_tools_category_id_categories"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tools")),
    )
    op.create_index(op.f("ix_tools_category_id"), "tools", ["category_id"], unique=False)
    op.create_index(op.f("ix_tools_slug"), "tools", ["slug"], unique=True)
    op.create_table(
        "user_interactions",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("item_type", sa.String(length=50), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("weight", sa.Float(), server_default="1", nullable=False),
        sa.Column("meta_data", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_interactions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_interactions")),
    )
    op.create_index(op.f("ix_user_interactions_item_id"), "user_interactions", ["item_id"], unique=False)
    op.create_index(op.f("ix_user_interactions_item_type"), "user_interactions", ["item_type"], unique=False)
    op.create_index(op.f("ix_user_interactions_user_id"), "user_interactions", ["user_id"], unique=False)
    op.create_index(
        "ix_user_interactions_user_id_created_at",
        "user_interactions",
        ["user_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "agent_executions",
        sa.Column("workflow_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("workflow_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("input_data", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("output_data", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column(
            "execution_log", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column("token_usage", sa.Integer(), server_default="0", nullable=False),
        sa.Column("total_api_calls", sa.Integer(), server_default="0", nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("trigger_type", sa.String(length=50), server_default="manual", nullable=False),
        sa.Column(
            "trigger_metadata", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retry_of_id", sa.Uuid(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["retry_of_id"],
            ["agent_executions.id"],
            name=op.f("fk_agent_executions_retry_of_id_agent_executions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_agent_executions_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workflow_id"],
            ["agent_workflows.id"],
            name=op.f("fk_agent_executions_workflow_id_agent_workflows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_executions")),
        sa.UniqueConstraint(
            "workflow_id", "scheduled_at", name=op.f("uq_agent_executions_workflow_id_scheduled_at")
        ),
    )
    op.create_index(
        "ix_agent_executions_status_updated_at", "agent_executions", ["status", "updated_at"], unique=False
    )
    op.create_index(op.f("ix_agent_executions_user_id"), "agent_executions", ["user_id"], unique=False)
    op.create_index(
        "ix_agent_executions_user_id_created_at", "agent_executions", ["user_id", "created_at"], unique=False
    )
    op.create_index(
        op.f("ix_agent_executions_workflow_id"), "agent_executions", ["workflow_id"], unique=False
    )
    op.create_table(
        "agent_memories",
        sa.Column("workflow_id", sa.Uuid(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(length=50), server_default="fact", nullable=False),
        sa.Column("meta_data", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("embedding", pgvector.sqlalchemy.Vector(dim=384), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["workflow_id"],
            ["agent_workflows.id"],
            name=op.f("fk_agent_memories_workflow_id_agent_workflows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_memories")),
    )
    op.create_index(
        "ix_agent_memories_embedding_hnsw",
        "agent_memories",
        ["embedding"],
        unique=False,
        postgresql_using="hnsw",
        postgresql_with={"m": 16, "ef_construction": 64},
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )
    op.create_index(op.f("ix_agent_memories_workflow_id"), "agent_memories", ["workflow_id"], unique=False)
    op.create_table(
        "skills",
        sa.Column("tool_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=True),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("description_zh", sa.Text(), nullable=True),
        sa.Column("api_endpoint", sa.String(length=512), nullable=True),
        sa.Column("http_method", sa.String(length=10), server_default="GET", nullable=False),
        sa.Column(
            "input_schema", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column(
            "output_schema", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column(
            "headers_template", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("auth_type", sa.String(length=50), server_default="none", nullable=False),
        sa.Column(
            "auth_config", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("usage_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("avg_latency_ms", sa.Float(), server_default="0", nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tool_id"], ["tools.id"], name=op.f("fk_skills_tool_id_tools"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skills")),
        sa.UniqueConstraint("tool_id", "slug", name=op.f("uq_skills_tool_id_slug")),
    )
    op.create_index(op.f("ix_skills_slug"), "skills", ["slug"], unique=False)
    op.create_index(op.f("ix_skills_tool_id"), "skills", ["tool_id"], unique=False)
    op.create_table(
        "tool_scenarios",
        sa.Column("tool_id", sa.Uuid(), nullable=False),
        sa.Column("scenario_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scenario_id"],
            ["scenarios.id"],
            name=op.f("fk_tool_scenarios_scenario_id_scenarios"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tool_id"], ["tools.id"], name=op.f("fk_tool_scenarios_tool_id_tools"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tool_id", "scenario_id", name=op.f("pk_tool_scenarios")),
    )
    op.create_index(op.f("ix_tool_scenarios_scenario_id"), "tool_scenarios", ["scenario_id"], unique=False)
    op.create_table(
        "workflow_stars",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("workflow_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_workflow_stars_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workflow_id"],
            ["agent_workflows.id"],
            name=op.f("fk_workflow_stars_workflow_id_agent_workflows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "workflow_id", name=op.f("pk_workflow_stars")),
    )
    op.create_index(op.f("ix_workflow_stars_workflow_id"), "workflow_stars", ["workflow_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_workflow_stars_workflow_id"), table_name="workflow_stars")
    op.drop_table("workflow_stars")
    op.drop_index(op.f("ix_tool_scenarios_scenario_id"), table_name="tool_scenarios")
    op.drop_table("tool_scenarios")
    op.drop_index(op.f("ix_skills_tool_id"), table_name="skills")
    op.drop_index(op.f("ix_skills_slug"), table_name="skills")
    op.drop_table("skills")
    op.drop_index(op.f("ix_agent_memories_workflow_id"), table_name="agent_memories")
    op.drop_index(
        "ix_agent_memories_embedding_hnsw",
        table_name="agent_memories",
        postgresql_using="hnsw",
        postgresql_with={"m": 16, "ef_construction": 64},
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )
    op.drop_table("agent_memories")
    op.drop_index(op.f("ix_agent_executions_workflow_id"), table_name="agent_executions")
    op.drop_index("ix_agent_executions_user_id_created_at", table_name="agent_executions")
    op.drop_index(op.f("ix_agent_executions_user_id"), table_name="agent_executions")
    op.drop_index("ix_agent_executions_status_updated_at", table_name="agent_executions")
    op.drop_table("agent_executions")
    op.drop_index("ix_user_interactions_user_id_created_at", table_name="user_interactions")
    op.drop_index(op.f("ix_user_interactions_user_id"), table_name="user_interactions")
    op.drop_index(op.f("ix_user_interactions_item_type"), table_name="user_interactions")
    op.drop_index(op.f("ix_user_interactions_item_id"), table_name="user_interactions")
    op.drop_table("user_interactions")
    op.drop_index(op.f("ix_tools_slug"), table_name="tools")
    op.drop_index(op.f("ix_tools_category_id"), table_name="tools")
    op.drop_table("tools")
    op.drop_index(op.f("ix_agent_workflows_user_id"), table_name="agent_workflows")
    op.drop_index(op.f("ix_agent_workflows_slug"), table_name="agent_workflows")
    op.drop_index(op.f("ix_agent_workflows_is_template"), table_name="agent_workflows")
    op.drop_index(op.f("ix_agent_workflows_is_public"), table_name="agent_workflows")
    op.drop_index(op.f("ix_agent_workflows_forked_from_id"), table_name="agent_workflows")
    op.drop_table("agent_workflows")
    op.drop_index(op.f("ix_users_wechat_id"), table_name="users")
    op.drop_index(op.f("ix_users_username"), table_name="users")
    op.drop_index(op.f("ix_users_phone"), table_name="users")
    op.drop_index(op.f("ix_users_github_id"), table_name="users")
    op.drop_index(op.f("ix_users_email"), table_name="users")
    op.drop_table("users")
    op.drop_index(op.f("ix_scenarios_slug"), table_name="scenarios")
    op.drop_table("scenarios")
    op.drop_index(op.f("ix_categories_slug"), table_name="categories")
    op.drop_table("categories")
    op.execute("DROP EXTENSION IF EXISTS pg_trgm")
    op.execute("DROP EXTENSION IF EXISTS vector")
