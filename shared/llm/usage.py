"""Metering: every model call adds its tokens, credits and one call to the row of its (session type,
session id, model), in one atomic upsert; reads aggregate them by day, model or user."""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import Date, cast, func, select, text
from sqlalchemy.orm import Session

from shared.llm.client import Usage
from shared.llm.models import UsageMetric

SESSION_TYPES = ("execution", "conversation", "chat_session", "task", "agent_setup", "api")
GroupBy = Literal["day", "model", "user"]


# One upsert per call (a constant statement: compiled once, cheap on the hot path of every model call).
RECORD_STATEMENT = text(
    """
    INSERT INTO usage_metrics AS m (id, user_id, session_type, session_id, model, provider,
        prompt_tokens, completion_tokens, credits, calls, created_at, updated_at)
    VALUES (gen_random_uuid(), :user_id, :session_type, :session_id, :model, :provider,
        :prompt_tokens, :completion_tokens, :credits, 1, now(), now())
    ON CONFLICT (session_type, session_id, model) DO UPDATE SET
        prompt_tokens = m.prompt_tokens + excluded.prompt_tokens,
        completion_tokens = m.completion_tokens + excluded.completion_tokens,
        credits = m.credits + excluded.credits,
        calls = m.calls + 1,
        updated_at = now()
    """
)


def record(
    session: Session,
    *,
    user_id: uuid.UUID,
    session_type: str,
    session_id: str,
    model: str,
    provider: str,
    usage: Usage,
    credits: Decimal,
) -> None:
    """Add one call to its session's row for this model (created on its first call)."""
    session.execute(
        RECORD_STATEMENT,
        {
            "user_id": user_id,
            "session_type": session_type,
            "session_id": session_id,
            "model": model,
            "provider": provider,
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "credits": credits,
        },
    )


def aggregate(
    session: Session,
    *,
    group_by: GroupBy,
    user_id: uuid.UUID | None = None,
    model: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[dict[str, Any]]:
    """Prompt tokens, completion tokens, credits and calls per day (of the session's first call), per
    model or per user, newest day or largest spender first."""
    key = {
        "day": cast(UsageMetric.created_at, Date),
        "model": UsageMetric.model,
        "user": UsageMetric.user_id,
    }[group_by].label("key")
    query = select(
        key,
        func.sum(UsageMetric.prompt_tokens).label("prompt_tokens"),
        func.sum(UsageMetric.completion_tokens).label("completion_tokens"),
        func.sum(UsageMetric.credits).label("credits"),
        func.sum(UsageMetric.calls).label("calls"),
    ).group_by(key)
    if user_id is not None:
        query = query.where(UsageMetric.user_id == user_id)
    if model is not None:
        query = query.where(UsageMetric.model == model)
    if since is not None:
        query = query.where(UsageMetric.created_at >= since)
    if until is not None:
        query = query.where(UsageMetric.created_at < until)
    order = key.desc() if group_by == "day" else func.sum(UsageMetric.credits).desc()
    return [
        {
            group_by: row.key,
            "prompt_tokens": int(row.prompt_tokens),
            "completion_tokens": int(row.completion_tokens),
            "credits": row.credits,
            "calls": int(row.calls),
        }
        for row in session.execute(query.order_by(order, key))
    ]
