"""Sign-in state: refresh-token sessions, one-time tokens, OAuth states, API keys, the login log."""

import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from shared.orm import Base, UUIDPrimaryKeyMixin

TOKEN_HASH_LENGTH = 64  # sha256 hex


def created_at_column(index: bool = False) -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False, index=index)


class UserSession(UUIDPrimaryKeyMixin, Base):
    """One refresh token (seed 004: sessions). Rotation keeps the family; reuse revokes it."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_family_id_revoked_at", "family_id", "revoked_at"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The first session of a login; every rotated successor shares it.
    family_id: Mapped[uuid.UUID]
    token_hash: Mapped[str] = mapped_column(String(TOKEN_HASH_LENGTH), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(String(32))
    user_agent: Mapped[str | None] = mapped_column(String(512))
    ip: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_at_column()
    # When the sign-in began (copied along rotations) and when it was last used (a refresh, or an access
    # token at most every SESSION_LAST_USED_RESOLUTION_SECONDS): what /v1/users/me/sessions shows.
    signed_in_at: Mapped[datetime] = created_at_column()
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OneTimeToken(UUIDPrimaryKeyMixin, Base):
    """A single-use mailed token: a password reset or a magic link (seed 004: magic_links)."""

    __tablename__ = "one_time_tokens"

    purpose: Mapped[str] = mapped_column(String(32))  # password_reset | magic_link | verify_email
    # Null for a magic link to an address that has no account yet (open sign-up).
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(255))
    token_hash: Mapped[str] = mapped_column(String(TOKEN_HASH_LENGTH), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()


class OAuthState(UUIDPrimaryKeyMixin, Base):
    """The `state` of one OAuth authorization: server-side, expiring, single-use."""

    __tablename__ = "oauth_states"

    provider: Mapped[str] = mapped_column(String(20))
    state_hash: Mapped[str] = mapped_column(String(TOKEN_HASH_LENGTH), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()


class ApiKey(UUIDPrimaryKeyMixin, Base):
    """A personal API key (seed 001: agent_api_keys), stored only as a hash."""

    __tablename__ = "api_keys"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    prefix: Mapped[str] = mapped_column(String(16))  # shown in lists: "sk_AbCd1234"
    key_hash: Mapped[str] = mapped_column(String(TOKEN_HASH_LENGTH), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()


class LoginLog(UUIDPrimaryKeyMixin, Base):
    """Every sign-in attempt (seed 001: sys_login_log); failures here drive the brute-force limits."""

    __tablename__ = "login_logs"
    __table_args__ = (
        Index("ix_login_logs_identifier_created_at", "identifier", "created_at"),
        Index("ix_login_logs_ip_created_at", "ip", "created_at"),
    )

    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # What was typed (email or username, lower-cased), so failures against unknown names count too.
    identifier: Mapped[str] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(20))  # password | magic_link | github | wechat
    status: Mapped[str] = mapped_column(String(10))  # success | failure | blocked
    message: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(512))
    # parsed from user_agent by ua-parser (shared.auth.user_agents); city only from LOGIN_CITY_HEADER
    os: Mapped[str | None] = mapped_column(String(64))
    browser: Mapped[str | None] = mapped_column(String(64))
    device: Mapped[str | None] = mapped_column(String(64))
    city: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = created_at_column(index=True)


# The models named above by foreign key or relationship (see shared/orm.py).
import shared.users.models  # noqa: E402, F401
