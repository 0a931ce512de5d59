"""Long-term RAG memory of a workflow (seed 000: agent_memories, Vector(384))."""

import uuid
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.orm import EMBEDDING_DIMENSIONS, Base, TimestampMixin, UUIDPrimaryKeyMixin

CONTENT_TYPES = ("conversation", "document", "fact", "summary")


class AgentMemory(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    __tablename__ = "agent_memories"
    __table_args__ = (
        Index(
            "ix_agent_memories_embedding_hnsw",
            "embedding",
            postgresql_using="hnsw",
            postgresql_with={"m": 16, "ef_construction": 64},
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
    )

    workflow_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agent_workflows.id", ondelete="CASCADE"), index=True
    )
    content: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(50), default="fact", server_default="fact")
    meta_data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    embedding: Mapped[list[float] | None] = mapped_column(Vector(EMBEDDING_DIMENSIONS))
    # Which model made `embedding`, so rows of another model can be found and re-embedded.
    embedding_model: Mapped[str | None] = mapped_column(String(200), index=True)


# The models named above by foreign key or relationship (see shared/orm.py).
import shared.workflows.models  # noqa: E402, F401
