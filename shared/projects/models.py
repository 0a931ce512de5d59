"""`projects` (seed 003): a user's folders for workflows and agents; one default project each, which
cannot be deleted; deleting another archives it."""

import uuid

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from shared.orm import Base, TimestampMixin, UUIDPrimaryKeyMixin

DEFAULT_ICON = "folder"
DEFAULT_COLOR = "#f97316"


class Project(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    __tablename__ = "projects"
    __table_args__ = (
        # one default project per user, whatever races
        Index("uq_projects_user_id_default", "user_id", unique=True, postgresql_where=text("is_default")),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    icon: Mapped[str] = mapped_column(String(50), default=DEFAULT_ICON, server_default=DEFAULT_ICON)
    color: Mapped[str] = mapped_column(String(20), default=DEFAULT_COLOR, server_default=DEFAULT_COLOR)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    sort_order: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


# The models named above by foreign key or relationship (see shared/orm.py).
import shared.users.models  # noqa: E402, F401
