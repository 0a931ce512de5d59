"""User accounts (seed 000: users)."""

from typing import TYPE_CHECKING

from sqlalchemy import Boolean, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.orm import Base, TimestampMixin, UUIDPrimaryKeyMixin

if TYPE_CHECKING:
    from shared.interactions.models import UserInteraction
    from shared.workflows.models import AgentWorkflow


class User(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(255), unique=True, index=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True, index=True)
    username: Mapped[str] = mapped_column(String(50), unique=True, index=True)
    # Null for accounts created through OAuth or a magic link that never set a password.
    hashed_password: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    is_superuser: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    github_id: Mapped[str | None] = mapped_column(String(50), unique=True, index=True)
    wechat_id: Mapped[str | None] = mapped_column(String(50), unique=True, index=True)

    workflows: Mapped[list["AgentWorkflow"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
    interactions: Mapped[list["UserInteraction"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )
