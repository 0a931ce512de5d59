"""accounts: when the address was verified

Revision ID: 947e8a64dbef
Revises: 2b0ebe5f48e9
Create Date: 2026-11-23 18:20:24.604264+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "947e8a64dbef"
down_revision: str | None = "2b0ebe5f48e9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True))
    # Accounts from before verification existed are grandfathered as verified: treating them as
    # provisional would void their passwords and API keys at their next magic-link sign-in.
    op.execute("UPDATE users SET email_verified_at = created_at WHERE email NOT LIKE '%.invalid'")


def downgrade() -> None:
    op.drop_column("users", "email_verified_at")
