"""User behaviour tracking for personalisation and analytics (seed 000: user_interactions)."""

import uuid
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.orm import Base, TimestampMixin, UUIDPrimaryKeyMixin

# How much an action says about interest (documented in the README).
ACTION_WEIGHTS: dict[str, float] = {"view": 1.0, "click": 2.0, "run": 3.0, "like": 4.0, "fork": 5.0}


class UserInteraction(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    __tablename__ = "user_interactions"
    __table_args__ = (Index("ix_user_interactions_user_id_created_at", "user_id", "created_at"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    item_type: Mapped[str] = mapped_column(String(50), index=True)
    item_id: Mapped[uuid.UUID] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(50))
    weight: Mapped[float] = mapped_column(Float, default=1.0, server_default="1")
    meta_data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")


# The models named above by foreign key or relationship (see shared/orm.py).
import shared.users.models  # noqa: E402, F401
