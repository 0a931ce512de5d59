"""catalog: Chinese names of categories and scenarios, tool embeddings, trigram indexes

Revision ID: 5a8c20565093
Revises: 69f6fe2b74c2
Create Date: 2026-11-22 06:55:33.285507+00:00
"""

from collections.abc import Sequence

import pgvector.sqlalchemy
import sqlalchemy as sa
from alembic import op

revision: str = "5a8c20565093"
down_revision: str | None = "69f6fe2b74c2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("categories", sa.Column("name_zh", sa.String(length=100), nullable=True))
    op.add_column("scenarios", sa.Column("name_zh", sa.String(length=100), nullable=True))
    op.add_column("tools", sa.Column("embedding", pgvector.sqlalchemy.Vector(dim=384), nullable=True))
    op.add_column("tools", sa.Column("embedding_model", sa.String(length=200), nullable=True))
    op.create_index(
        "ix_tools_description_trgm",
        "tools",
        ["description"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"description": "gin_trgm_ops"},
    )
    op.create_index(
        "ix_tools_description_zh_trgm",
        "tools",
        ["description_zh"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"description_zh": "gin_trgm_ops"},
    )
    op.create_index(
        "ix_tools_name_trgm",
        "tools",
        ["name"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"name": "gin_trgm_ops"},
    )
    op.create_index(
        "ix_tools_name_zh_trgm",
        "tools",
        ["name_zh"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"name_zh": "gin_trgm_ops"},
    )


def downgrade() -> None:
    op.drop_index(
        "ix_tools_name_zh_trgm",
        table_name="tools",
        postgresql_using="gin",
        postgresql_ops={"name_zh": "gin_trgm_ops"},
    )
    op.drop_index(
        "ix_tools_name_trgm",
        table_name="tools",
        postgresql_using="gin",
        postgresql_ops={"name": "gin_trgm_ops"},
    )
    op.drop_index(
        "ix_tools_description_zh_trgm",
        table_name="tools",
        postgresql_using="gin",
        postgresql_ops={"description_zh": "gin_trgm_ops"},
    )
    op.drop_index(
        "ix_tools_description_trgm",
        table_name="tools",
        postgresql_using="gin",
        postgresql_ops={"description": "gin_trgm_ops"},
    )
    op.drop_column("tools", "embedding_model")
    op.drop_column("tools", "embedding")
    op.drop_column("scenarios", "name_zh")
    op.drop_column("categories", "name_zh")
