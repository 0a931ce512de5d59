"""database connections, insights, chat sessions and examples

Revision ID: d2492811ca05
Revises: 76824ac6ce56
Create Date: 2026-11-30 11:10:10.941471+00:00
"""

from collections.abc import Sequence

import pgvector.sqlalchemy
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "d2492811ca05"
down_revision: str | None = "76824ac6ce56"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "database_connections",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("dialect", sa.String(length=20), server_default="postgresql", nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("port", sa.Integer(), server_default="5432", nullable=False),
        sa.Column("database", sa.String(length=255), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("encrypted_password", sa.Text(), nullable=True),
        sa.Column("ssl_mode", sa.String(length=20), server_default="prefer", nullable=False),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("status_message", sa.Text(), nullable=True),
        sa.Column("last_analyzed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("analysis_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("analysis_progress", sa.Float(), server_default="0", nullable=False),
        sa.Column("server_version", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("dialect IN ('postgresql')", name=op.f("ck_database_connections_dialect")),
        sa.CheckConstraint(
            "ssl_mode IN ('disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full')",
            name=op.f("ck_database_connections_ssl_mode"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'analyzing', 'indexing', 'ready', 'error')",
            name=op.f("ck_database_connections_status"),
        ),
        sa.CheckConstraint("port BETWEEN 1 AND 65535", name=op.f("ck_database_connections_port")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_database_connections_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_database_connections")),
    )
    op.create_index(op.f("ix_database_connections_status"), "database_connections", ["status"], unique=False)
    op.create_index(
        op.f("ix_database_connections_user_id"), "database_connections", ["user_id"], unique=False
    )
    op.create_table(
        "chat_sessions",
        sa.Column("connection_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=True),
        sa.Column("is_public", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("share_token_hash", sa.String(length=64), nullable=True),
        sa.Column("share_token_ciphertext", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["database_connections.id"],
            name=op.f("fk_chat_sessions_connection_id_database_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_chat_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_sessions")),
        sa.UniqueConstraint("share_token_hash", name=op.f("uq_chat_sessions_share_token_hash")),
    )
    op.create_index(
        "ix_chat_sessions_connection_id_user_id", "chat_sessions", ["connection_id", "user_id"], unique=False
    )
    op.create_index(op.f("ix_chat_sessions_user_id"), "chat_sessions", ["user_id"], unique=False)
    op.create_table(
        "connection_shares",
        sa.Column("connection_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("permission", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "permission IN ('chat', 'view', 'owner')", name=op.f("ck_connection_shares_permission")
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["database_connections.id"],
            name=op.f("fk_connection_shares_connection_id_database_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_connection_shares_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_connection_shares_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connection_shares")),
        sa.UniqueConstraint(
            "connection_id", "user_id", name=op.f("uq_connection_shares_connection_id_user_id")
        ),
    )
    op.create_index(op.f("ix_connection_shares_user_id"), "connection_shares", ["user_id"], unique=False)
    op.create_table(
        "table_insights",
        sa.Column("connection_id", sa.Uuid(), nullable=False),
        sa.Column("schema_name", sa.String(length=255), nullable=False),
        sa.Column("table_name", sa.String(length=255), nullable=False),
        sa.Column("table_type", sa.String(length=30), server_default="table", nullable=False),
        sa.Column("row_count", sa.BigInteger(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("purpose", sa.Text(), server_default="", nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), server_default="", nullable=False),
        sa.Column("insight_document", sa.Text(), server_default="", nullable=False),
        sa.Column("search_text", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "primary_key", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column(
            "foreign_keys", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column(
            "referenced_by", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column("indexes", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column(
            "analysis_notes", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column("embedding", pgvector.sqlalchemy.Vector(dim=384), nullable=True),
        sa.Column("embedding_model", sa.String(length=200), nullable=True),
        sa.Column("edited_by", sa.Uuid(), nullable=True),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["database_connections.id"],
            name=op.f("fk_table_insights_connection_id_database_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["edited_by"], ["users.id"], name=op.f("fk_table_insights_edited_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_table_insights")),
        sa.UniqueConstraint(
            "connection_id",
            "schema_name",
            "table_name",
            name=op.f("uq_table_insights_connection_id_schema_name_table_name"),
        ),
    )
    op.create_index(
        op.f("ix_table_insights_connection_id"), "table_insights", ["connection_id"], unique=False
    )
    op.create_index(
        "ix_table_insights_embedding_hnsw",
        "table_insights",
        ["embedding"],
        unique=False,
        postgresql_using="hnsw",
        postgresql_with={"m": 16, "ef_construction": 64},
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )
    op.create_table(
        "chat_messages",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("content", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.String(length=20), server_default="complete", nullable=False),
        sa.Column("sql_query", sa.Text(), nullable=True),
        sa.Column("columns", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("rows", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=True),
        sa.Column("execution_time_ms", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column(
            "message_metadata", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("role IN ('user', 'assistant')", name=op.f("ck_chat_messages_role")),
        sa.CheckConstraint(
            "status IN ('complete', 'pending', 'failed')", name=op.f("ck_chat_messages_status")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["chat_sessions.id"],
            name=op.f("fk_chat_messages_session_id_chat_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_messages")),
    )
    op.create_index(
        "ix_chat_messages_session_id_created_at", "chat_messages", ["session_id", "created_at"], unique=False
    )
    op.create_table(
        "column_metadata",
        sa.Column("table_insight_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("column_name", sa.String(length=255), nullable=False),
        sa.Column("data_type", sa.String(length=255), nullable=False),
        sa.Column("is_nullable", sa.Boolean(), nullable=False),
        sa.Column("is_primary_key", sa.Boolean(), nullable=False),
        sa.Column("is_foreign_key", sa.Boolean(), nullable=False),
        sa.Column("foreign_key_ref", sa.String(length=800), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("distinct_count", sa.BigInteger(), nullable=True),
        sa.Column("null_count", sa.BigInteger(), nullable=True),
        sa.Column("semantic_type", sa.String(length=20), nullable=False),
        sa.Column("indexing_strategy", sa.String(length=20), nullable=False),
        sa.Column("classification_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("categorical_values", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("sample_values", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "indexing_strategy IN ('categorical', 'vector', 'skip')",
            name=op.f("ck_column_metadata_indexing_strategy"),
        ),
        sa.CheckConstraint(
            "semantic_type IN ('identifier', 'categorical', 'free_text', 'numeric', 'temporal', 'other')",
            name=op.f("ck_column_metadata_semantic_type"),
        ),
        sa.ForeignKeyConstraint(
            ["table_insight_id"],
            ["table_insights.id"],
            name=op.f("fk_column_metadata_table_insight_id_table_insights"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_column_metadata")),
        sa.UniqueConstraint(
            "table_insight_id", "column_name", name=op.f("uq_column_metadata_table_insight_id_column_name")
        ),
    )
    op.create_index(
        op.f("ix_column_metadata_table_insight_id"), "column_metadata", ["table_insight_id"], unique=False
    )
    op.create_table(
        "sql_examples",
        sa.Column("connection_id", sa.Uuid(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("sql", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=10), server_default="manual", nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("embedding", pgvector.sqlalchemy.Vector(dim=384), nullable=True),
        sa.Column("embedding_model", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("source IN ('manual', 'chat')", name=op.f("ck_sql_examples_source")),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["database_connections.id"],
            name=op.f("fk_sql_examples_connection_id_database_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_sql_examples_created_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["chat_messages.id"],
            name=op.f("fk_sql_examples_message_id_chat_messages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sql_examples")),
    )
    op.create_index(op.f("ix_sql_examples_connection_id"), "sql_examples", ["connection_id"], unique=False)
    op.create_index(
        "ix_sql_examples_embedding_hnsw",
        "sql_examples",
        ["embedding"],
        unique=False,
        postgresql_using="hnsw",
        postgresql_with={"m": 16, "ef_construction": 64},
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )


def downgrade() -> None:
    op.drop_index(
        "ix_sql_examples_embedding_hnsw",
        table_name="sql_examples",
        postgresql_using="hnsw",
        postgresql_with={"m": 16, "ef_construction": 64},
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )
    op.drop_index(op.f("ix_sql_examples_connection_id"), table_name="sql_examples")
    op.drop_table("sql_examples")
    op.drop_index(op.f("ix_column_metadata_table_insight_id"), table_name="column_metadata")
    op.drop_table("column_metadata")
    op.drop_index("ix_chat_messages_session_id_created_at", table_name="chat_messages")
    op.drop_table("chat_messages")
    op.drop_index(
        "ix_table_insights_embedding_hnsw",
        table_name="table_insights",
        postgresql_using="hnsw",
        postgresql_with={"m": 16, "ef_construction": 64},
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )
    op.drop_index(op.f("ix_table_insights_connection_id"), table_name="table_insights")
    op.drop_table("table_insights")
    op.drop_index(op.f("ix_connection_shares_user_id"), table_name="connection_shares")
    op.drop_table("connection_shares")
    op.drop_index(op.f("ix_chat_sessions_user_id"), table_name="chat_sessions")
    op.drop_index("ix_chat_sessions_connection_id_user_id", table_name="chat_sessions")
    op.drop_table("chat_sessions")
    op.drop_index(op.f("ix_database_connections_user_id"), table_name="database_connections")
    op.drop_index(op.f("ix_database_connections_status"), table_name="database_connections")
    op.drop_table("database_connections")
