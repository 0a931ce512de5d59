"""memories: the name of the model that made each embedding

Revision ID: 69f6fe2b74c2
Revises: b5f191ff4068
Create Date: 2026-11-22 06:35:42.355830+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "69f6fe2b74c2"
down_revision: str | None = "b5f191ff4068"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("agent_memories", sa.Column("embedding_model", sa.String(length=200), nullable=True))
    op.create_index(
        op.f("ix_agent_memories_embedding_model"), "agent_memories", ["embedding_model"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_agent_memories_embedding_model"), table_name="agent_memories")
    op.drop_column("agent_memories", "embedding_model")
