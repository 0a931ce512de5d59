"""Roles and their permissions (seed 001 sys_role, sys_user_role; sys_menu's permission strings),
notices (sys_notice) and the runtime settings that change without a deploy (sys_config)."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.orm import Base, TimestampMixin, UUIDPrimaryKeyMixin, utc_now

ROLE_STATUSES = ("active", "disabled")
NOTICE_STATUSES = ("draft", "published")


class Role(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A named set of permissions (strings of shared.admin.permissions); a disabled role grants none."""

    __tablename__ = "roles"
    __table_args__ = (
        Index("uq_roles_name_lower", text("lower(name)"), unique=True),
        CheckConstraint(f"status IN {ROLE_STATUSES}", name="status"),
    )

    name: Mapped[str] = mapped_column(String(64))
    remark: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="active", server_default="active")
    permissions: Mapped[list[str]] = mapped_column(JSONB, default=list, server_default="[]")


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )


class Notice(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """An announcement shown to everyone while published and within its period (open ends allowed)."""

    __tablename__ = "notices"
    __table_args__ = (
        CheckConstraint(f"status IN {NOTICE_STATUSES}", name="status"),
        CheckConstraint("starts_at IS NULL OR ends_at IS NULL OR ends_at > starts_at", name="period"),
        Index("ix_notices_status_starts_at", "status", "starts_at"),
    )

    title: Mapped[str] = mapped_column(String(200))
    title_zh: Mapped[str | None] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    content_zh: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="draft", server_default="draft")
    starts_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class SystemConfig(Base):
    """An override of one whitelisted setting (shared.admin.runtime_config); no row: the environment's."""

    __tablename__ = "system_config"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONB)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, onupdate=utc_now, server_default=func.now(), nullable=False
    )


# The models named above by foreign key or relationship (see shared/orm.py).
import shared.users.models  # noqa: E402, F401
