"""The gateway's tables: metered usage per session and model (seed 001's agent_session_metrics), the
credit ledger, the holds of calls in flight, and users' own provider keys (seed 003's api_keys_encrypted).

Balances themselves are `users.credits` and `users.bonus_credits` (NUMERIC, 4 decimals)."""

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from shared.orm import Base, TimestampMixin, UUIDPrimaryKeyMixin, utc_now

CREDITS = Numeric(18, 4)
TRANSACTION_KINDS = ("grant", "bonus_grant", "consume", "refund", "hold", "release")


class UsageMetric(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """Tokens, credits and calls of one model within one session (an execution, a conversation, ...);
    one row per (session type, session id, model), updated atomically by every call."""

    __tablename__ = "usage_metrics"
    __table_args__ = (
        UniqueConstraint("session_type", "session_id", "model"),
        Index("ix_usage_metrics_user_id_created_at", "user_id", "created_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    session_type: Mapped[str] = mapped_column(String(32))
    session_id: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(100))
    provider: Mapped[str] = mapped_column(String(50))
    prompt_tokens: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    completion_tokens: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    credits: Mapped[Decimal] = mapped_column(CREDITS, default=Decimal(0), server_default="0")
    calls: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class CreditTransaction(UUIDPrimaryKeyMixin, Base):
    """One change of a user's balances: `amount` to credits and `bonus_amount` to bonus credits (signed),
    with both balances after it."""

    __tablename__ = "credit_transactions"
    __table_args__ = (
        CheckConstraint(f"kind IN {TRANSACTION_KINDS}", name="kind"),
        Index("ix_credit_transactions_user_id_created_at", "user_id", "created_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(CREDITS, default=Decimal(0), server_default="0")
    bonus_amount: Mapped[Decimal] = mapped_column(CREDITS, default=Decimal(0), server_default="0")
    credits_after: Mapped[Decimal] = mapped_column(CREDITS)
    bonus_credits_after: Mapped[Decimal] = mapped_column(CREDITS)
    reference: Mapped[str | None] = mapped_column(String(120))  # e.g. execution:<id>
    note: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, nullable=False)


class CreditHold(UUIDPrimaryKeyMixin, Base):
    """What a call in flight took from the balances (bonus first); settled or released when it ends,
    or by maintenance if its worker died."""

    __tablename__ = "credit_holds"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    credits: Mapped[Decimal] = mapped_column(CREDITS)
    bonus_credits: Mapped[Decimal] = mapped_column(CREDITS)
    reference: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utc_now, nullable=False, index=True
    )


class ProviderKey(UUIDPrimaryKeyMixin, TimestampMixin, Base):
    """A user's own key for a model provider (Fernet at rest, never returned); calls made with it are
    metered but not charged."""

    __tablename__ = "llm_provider_keys"
    __table_args__ = (UniqueConstraint("user_id", "provider"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(32))
    api_key_encrypted: Mapped[str] = mapped_column(Text)
    base_url: Mapped[str | None] = mapped_column(String(500))


# The models named above by foreign key or relationship (see shared/orm.py).
import shared.users.models  # noqa: E402, F401
