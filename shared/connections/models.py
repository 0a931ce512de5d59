"""Seed 002's tables: database connections and their shares, table insights and column metadata from
an analysis, chat sessions and messages; plus approved question→SQL examples (beyond the seed)."""

import uuid
from datetime import datetime
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.orm import EMBEDDING_DIMENSIONS, Base, TimestampMixin, UUIDPrimaryKeyMixin

DIALECTS = ("postgresql",)  # MySQL would join here with its TargetDialect (shared/connections/targets.py)
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
CONNECTION_STATUSES = ("pending", "analyzing", "indexing", "ready", "error")
BUSY_STATUSES = ("pending", "analyzing", "indexing")
SHARE_PERMISSIONS = ("chat", "view", "owner")
SEMANTIC_TYPES = ("identifier", "categorical", "free_text", "numeric", "temporal", "other")
INDEXING_STRATEGIES = ("categorical", "vector", "skip")
MESSAGE_ROLES = ("user", "assistant")
MESSAGE_STATUSES = ("complete", "pending", "failed")
EXAMPLE_SOURCES = ("manual", "chat")


def _hnsw(name: str) -> Index:
    return Index(
        name,
        "embedding",
        postgresql_using="hnsw",
        postgresql_with={"m": 16, "ef_construction": 64},
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )


class DatabaseConnection(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A user's database: where it is, how to sign in (the password Fernet-encrypted), and how far its
    analysis got (`status`, `analysis_progress` 0-100)."""

    __tablename__ = "database_connections"
    __table_args__ = (
        CheckConstraint("port BETWEEN 1 AND 65535", name="port"),
        CheckConstraint(f"ssl_mode IN {SSL_MODES}", name="ssl_mode"),
        CheckConstraint(f"status IN {CONNECTION_STATUSES}", name="status"),
        CheckConstraint(f"dialect IN ('{DIALECTS[0]}')", name="dialect"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    dialect: Mapped[str] = mapped_column(String(20), default="postgresql", server_default="postgresql")
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int] = mapped_column(Integer, default=5432, server_default="5432")
    database: Mapped[str] = mapped_column(String(255))
    username: Mapped[str] = mapped_column(String(255))
    encrypted_password: Mapped[str | None] = mapped_column(Text)  # Fernet; None: no password
    ssl_mode: Mapped[str] = mapped_column(String(20), default="prefer", server_default="prefer")
    status: Mapped[str] = mapped_column(String(20), default="pending", server_default="pending", index=True)
    status_message: Mapped[str | None] = mapped_column(Text)
    last_analyzed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    analysis_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    analysis_progress: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    server_version: Mapped[str | None] = mapped_column(String(200))


class ConnectionShare(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """Another user's access to a connection: `chat` (ask questions), `view` (also read the insights and
    the public sessions), `owner` (also edit and re-share)."""

    __tablename__ = "connection_shares"
    __table_args__ = (
        UniqueConstraint("connection_id", "user_id"),
        CheckConstraint(f"permission IN {SHARE_PERMISSIONS}", name="permission"),
    )

    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("database_connections.id", ondelete="CASCADE")
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    permission: Mapped[str] = mapped_column(String(10))
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class TableInsight(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """One table (or view) of an analysed connection: its keys, relationships and indexes, a document
    written from them (the guessed purpose, or a human's description) and that document's embedding."""

    __tablename__ = "table_insights"
    __table_args__ = (
        UniqueConstraint("connection_id", "schema_name", "table_name"),
        _hnsw("ix_table_insights_embedding_hnsw"),
    )

    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("database_connections.id", ondelete="CASCADE"), index=True
    )
    schema_name: Mapped[str] = mapped_column(String(255))
    table_name: Mapped[str] = mapped_column(String(255))
    table_type: Mapped[str] = mapped_column(String(30), default="table", server_default="table")
    row_count: Mapped[int | None] = mapped_column(BigInteger)  # the catalog's estimate
    comment: Mapped[str | None] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(Text, default="", server_default="")  # guessed from the names
    description: Mapped[str | None] = mapped_column(Text)  # a human's correction; wins over `purpose`
    summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    insight_document: Mapped[str] = mapped_column(Text, default="", server_default="")
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")  # names, as words
    primary_key: Mapped[list[str]] = mapped_column(JSONB, default=list, server_default="[]")
    foreign_keys: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")
    referenced_by: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")
    indexes: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")
    # what the analysis could not read (statistics of a table past the statement timeout, ...)
    analysis_notes: Mapped[list[str]] = mapped_column(JSONB, default=list, server_default="[]")
    embedding: Mapped[list[float] | None] = mapped_column(Vector(EMBEDDING_DIMENSIONS))
    embedding_model: Mapped[str | None] = mapped_column(String(200))
    edited_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ColumnMetadata(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """One column of a table insight, with its statistics and its classification (and why)."""

    __tablename__ = "column_metadata"
    __table_args__ = (
        UniqueConstraint("table_insight_id", "column_name"),
        CheckConstraint(f"semantic_type IN {SEMANTIC_TYPES}", name="semantic_type"),
        CheckConstraint(f"indexing_strategy IN {INDEXING_STRATEGIES}", name="indexing_strategy"),
    )

    table_insight_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("table_insights.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    column_name: Mapped[str] = mapped_column(String(255))
    data_type: Mapped[str] = mapped_column(String(255))
    is_nullable: Mapped[bool] = mapped_column(Boolean, default=True)
    is_primary_key: Mapped[bool] = mapped_column(Boolean, default=False)
    is_foreign_key: Mapped[bool] = mapped_column(Boolean, default=False)
    foreign_key_ref: Mapped[str | None] = mapped_column(String(800))
    comment: Mapped[str | None] = mapped_column(Text)
    distinct_count: Mapped[int | None] = mapped_column(BigInteger)
    null_count: Mapped[int | None] = mapped_column(BigInteger)
    semantic_type: Mapped[str] = mapped_column(String(20))
    indexing_strategy: Mapped[str] = mapped_column(String(20))
    classification_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    categorical_values: Mapped[list[str] | None] = mapped_column(JSONB)
    sample_values: Mapped[list[str] | None] = mapped_column(JSONB)


class ChatSession(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A user's questions to one connection. Shared publicly, it is readable by anyone holding the
    token: 32 random bytes, kept as a SHA-256 (looked up) and Fernet-encrypted (shown to its owner)."""

    __tablename__ = "chat_sessions"
    __table_args__ = (Index("ix_chat_sessions_connection_id_user_id", "connection_id", "user_id"),)

    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("database_connections.id", ondelete="CASCADE")
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str | None] = mapped_column(String(255))
    is_public: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    share_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    share_token_ciphertext: Mapped[str | None] = mapped_column(Text)


class ChatMessage(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A question, or an answer with the SQL that was run, its result (at most MAX_RESULT_ROWS rows),
    its timing, and the error when a query was refused or failed. An answer may be `pending` (the
    worker finishes it) or `failed` (the model did not answer)."""

    __tablename__ = "chat_messages"
    __table_args__ = (
        CheckConstraint(f"role IN {MESSAGE_ROLES}", name="role"),
        CheckConstraint(f"status IN {MESSAGE_STATUSES}", name="status"),
        Index("ix_chat_messages_session_id_created_at", "session_id", "created_at"),
    )

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("chat_sessions.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[str] = mapped_column(String(20), default="complete", server_default="complete")
    sql_query: Mapped[str | None] = mapped_column(Text)
    columns: Mapped[list[str] | None] = mapped_column(JSONB)
    rows: Mapped[list[list[Any]] | None] = mapped_column(JSONB)
    row_count: Mapped[int | None] = mapped_column(Integer)
    execution_time_ms: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    message_metadata: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")


class SqlExample(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """An approved question→SQL pair of a connection (typed in, or an approved chat answer); the
    nearest ones are offered to the model as examples."""

    __tablename__ = "sql_examples"
    __table_args__ = (
        CheckConstraint(f"source IN {EXAMPLE_SOURCES}", name="source"),
        _hnsw("ix_sql_examples_embedding_hnsw"),
    )

    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("database_connections.id", ondelete="CASCADE"), index=True
    )
    question: Mapped[str] = mapped_column(Text)
    sql: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(10), default="manual", server_default="manual")
    message_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("chat_messages.id", ondelete="SET NULL"))
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    embedding: Mapped[list[float] | None] = mapped_column(Vector(EMBEDDING_DIMENSIONS))
    embedding_model: Mapped[str | None] = mapped_column(String(200))


# The models named above by foreign key or relationship (see shared/orm.py).
import shared.users.models  # noqa: E402, F401
