"""catalog: a trigram index on tools.slug, so the keyword filter q (names and slug) is index-served

Revision ID: ebd0ad94d369
Revises: 284e09414db1
Create Date: 2026-11-30 09:40:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "ebd0ad94d369"
down_revision: str | None = "284e09414db1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_tools_slug_trgm",
        "tools",
        ["slug"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"slug": "gin_trgm_ops"},
    )


def downgrade() -> None:
    op.drop_index(
        "ix_tools_slug_trgm",
        table_name="tools",
        postgresql_using="gin",
        postgresql_ops={"slug": "gin_trgm_ops"},
    )
