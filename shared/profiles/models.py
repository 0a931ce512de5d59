"""`user_profiles` (seed 004's UserProfile) and `user_settings` (seed 003): 1:1 with users, keyed by
the user, created lazily with their defaults."""

import uuid
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.orm import Base, TimestampMixin

DEFAULT_TIMEZONE = "UTC"
CABIN_CLASSES = ("economy", "premium_economy", "business", "first")
THEMES = ("light", "dark", "system")


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


class UserProfile(TimestampMixin, Base):
    __tablename__ = "user_profiles"
    __table_args__ = (
        CheckConstraint(
            f"preferred_cabin_class IN ({_quoted(CABIN_CLASSES)})", name="preferred_cabin_class_known"
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # the IANA zone new schedules of this user run in unless they name one
    timezone: Mapped[str] = mapped_column(
        String(64), default=DEFAULT_TIMEZONE, server_default=DEFAULT_TIMEZONE
    )
    # mail about the user's runs (failures, and successes a workflow asks for); account mail always goes
    email_notifications: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    linkedin_url: Mapped[str | None] = mapped_column(String(500))
    github_url: Mapped[str | None] = mapped_column(String(500))
    portfolio_url: Mapped[str | None] = mapped_column(String(500))
    resume_url: Mapped[str | None] = mapped_column(String(500))
    social_accounts: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict, server_default="{}")
    preferred_airlines: Mapped[list[str]] = mapped_column(JSONB, default=list, server_default="[]")
    preferred_cabin_class: Mapped[str | None] = mapped_column(String(20))
    frequent_flyer_numbers: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict, server_default="{}")


class UserSettings(TimestampMixin, Base):
    __tablename__ = "user_settings"
    __table_args__ = (CheckConstraint(f"theme IN ({_quoted(THEMES)})", name="theme_known"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    default_llm_provider: Mapped[str | None] = mapped_column(String(32))
    theme: Mapped[str] = mapped_column(String(10), default="system", server_default="system")
    sidebar_collapsed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    onboarding_completed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    tours_completed: Mapped[dict[str, bool]] = mapped_column(JSONB, default=dict, server_default="{}")
    settings_json: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")


# The models named above by foreign key or relationship (see shared/orm.py).
import shared.users.models  # noqa: E402, F401
