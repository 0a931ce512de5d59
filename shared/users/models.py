"""User accounts (seed 000: users)."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, DateTime, Index, Numeric, String, text, true
from sqlalchemy.orm import Mapped, mapped_column

from shared.orm import Base, TimestampMixin, UUIDPrimaryKeyMixin


class User(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    __tablename__ = "users"
    # "Alice" and "alice" are one username; emails are stored lower-cased by the services.
    __table_args__ = (
        Index("uq_users_username_lower", text("lower(username)"), unique=True),
        # a balance never goes negative, whatever runs concurrently (shared.llm.credits)
        CheckConstraint("credits >= 0 AND bonus_credits >= 0", name="balances_not_negative"),
    )

    email: Mapped[str] = mapped_column(String(255), unique=True, index=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True, index=True)
    username: Mapped[str] = mapped_column(String(50), unique=True, index=True)
    # what others see beside the username (seed 001 sys_user and seed 004's profile: nickname, avatar)
    nickname: Mapped[str | None] = mapped_column(String(64))
    avatar_url: Mapped[str | None] = mapped_column(String(500))
    # Null for accounts created through OAuth or a magic link that never set a password.
    hashed_password: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    is_superuser: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    # False: a new sign-in ends the account's other sign-ins (seed 001 sys_user.is_multi_login)
    is_multi_login: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    github_id: Mapped[str | None] = mapped_column(String(50), unique=True, index=True)
    wechat_id: Mapped[str | None] = mapped_column(String(50), unique=True, index=True)
    # When the mailbox owner proved control of `email` (verification link, magic link, password
    # reset, or an OAuth provider's verified address). Until then the account is provisional.
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # What model calls are paid with (seed 001), in credits to 4 decimals; bonus credits are spent first.
    credits: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0), server_default="0")
    bonus_credits: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0), server_default="0")

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def has_password(self) -> bool:
        return self.hashed_password is not None

    @property
    def github_linked(self) -> bool:
        return self.github_id is not None

    @property
    def wechat_linked(self) -> bool:
        return self.wechat_id is not None
