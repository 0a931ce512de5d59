"""Per-user abuse quotas (OWASP API4), counted in PostgreSQL; every limit is a setting.

Each check takes a transaction-scoped advisory lock on its key first, so concurrent requests of one
user are counted one after the other and cannot overshoot; the lock ends with the caller's commit.
Each check imports the models it counts: a function that checks one quota maps only those."""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import DateTime, Integer, String, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared.admin import runtime_config
from shared.config import get_utc_now, settings
from shared.errors import QuotaExceededError, RateLimitedError
from shared.orm import Base

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


class RateWindow(Base):
    """How often one key (an action of one user) was allowed in one fixed window: for limits on actions
    that leave no row of their own to count (searches, exports)."""

    __tablename__ = "rate_windows"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True, index=True)
    count: Mapped[int] = mapped_column(Integer)


def serialize(session: Session, key: str) -> None:
    session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))


def seconds_until_room(oldest: datetime, window: timedelta) -> int:
    """When the oldest counted event leaves the sliding window."""
    return max(1, int((oldest + window - get_utc_now()).total_seconds()) + 1)


def _runs_since(
    session: Session, user_id: uuid.UUID, window: timedelta, *triggers: str
) -> tuple[int, datetime]:
    from shared.executions.models import AgentExecution

    query = select(func.count(), func.min(AgentExecution.created_at)).where(
        AgentExecution.user_id == user_id, AgentExecution.created_at >= get_utc_now() - window
    )
    if triggers:
        query = query.where(AgentExecution.trigger_type.in_(triggers))
    count, oldest = session.execute(query).one()
    return count, oldest


def daily_runs_exceeded(session: Session, user_id: uuid.UUID) -> RateLimitedError | None:
    """The error a new run of this user's would get, or None: MAX_RUNS_PER_DAY over the last 24 hours,
    every trigger counted (manual, API, webhook, schedule)."""
    serialize(session, f"runs:{user_id}")
    count, oldest = _runs_since(session, user_id, DAY)
    limit = runtime_config.effective(session, "MAX_RUNS_PER_DAY")
    if count < limit:
        return None
    return RateLimitedError(
        f"Daily run quota reached: {limit} runs in 24 hours",
        retry_after_seconds=seconds_until_room(oldest, DAY),
    )


def check_webhook_calls(session: Session, user_id: uuid.UUID) -> None:
    """MAX_WEBHOOK_CALLS_PER_MINUTE accepted calls over all of the owner's webhooks."""
    serialize(session, f"webhooks:{user_id}")
    count, oldest = _runs_since(session, user_id, MINUTE, "webhook")
    limit = runtime_config.effective(session, "MAX_WEBHOOK_CALLS_PER_MINUTE")
    if count >= limit:
        raise RateLimitedError(
            f"Too many webhook calls: {limit} per minute",
            retry_after_seconds=seconds_until_room(oldest, MINUTE),
        )


def check_memory_room(session: Session, workflow_id: uuid.UUID, adding: int) -> None:
    """MAX_MEMORIES_PER_WORKFLOW: the batch goes in whole or not at all."""
    from shared.memory.models import AgentMemory

    serialize(session, f"memories:{workflow_id}")
    held = session.scalar(select(func.count()).where(AgentMemory.workflow_id == workflow_id)) or 0
    limit = runtime_config.effective(session, "MAX_MEMORIES_PER_WORKFLOW")
    if held + adding > limit:
        raise QuotaExceededError(
            f"This workflow holds {held} memories; adding {adding} would pass the limit of "
            f"{limit}. Delete some first."
        )


def check_chat_messages(session: Session, user_id: uuid.UUID) -> None:
    """MAX_CHAT_MESSAGES_PER_MINUTE messages sent by the user, over all their conversations."""
    from shared.agents.models import Conversation, Message

    serialize(session, f"chat:{user_id}")
    count, oldest = session.execute(
        select(func.count(), func.min(Message.created_at))
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Conversation.user_id == user_id,
            Message.role == "user",
            Message.created_at >= get_utc_now() - MINUTE,
        )
    ).one()
    limit = runtime_config.effective(session, "MAX_CHAT_MESSAGES_PER_MINUTE")
    if count >= limit:
        raise RateLimitedError(
            f"Too many chat messages: {limit} per minute",
            retry_after_seconds=seconds_until_room(oldest, MINUTE),
        )


def check_project_room(session: Session, user_id: uuid.UUID) -> None:
    """MAX_PROJECTS_PER_USER, archived projects included: archiving keeps the row (it can be restored),
    so it frees no room."""
    from shared.projects.models import Project

    serialize(session, f"projects:{user_id}")
    held = session.scalar(select(func.count()).where(Project.user_id == user_id)) or 0
    if held >= settings.MAX_PROJECTS_PER_USER:
        raise QuotaExceededError(
            f"Project limit reached: MAX_PROJECTS_PER_USER is {settings.MAX_PROJECTS_PER_USER}, archived "
            "projects included; restore an archived project and reuse it"
        )


def check_database_questions(session: Session, user_id: uuid.UUID) -> None:
    """MAX_CHAT_MESSAGES_PER_MINUTE questions asked by the user of their databases, over all sessions."""
    from shared.connections.models import ChatMessage, ChatSession

    serialize(session, f"database-chat:{user_id}")
    count, oldest = session.execute(
        select(func.count(), func.min(ChatMessage.created_at))
        .join(ChatSession, ChatSession.id == ChatMessage.session_id)
        .where(
            ChatSession.user_id == user_id,
            ChatMessage.role == "user",
            ChatMessage.created_at >= get_utc_now() - MINUTE,
        )
    ).one()
    if count >= settings.MAX_CHAT_MESSAGES_PER_MINUTE:
        raise RateLimitedError(
            f"Too many questions: {settings.MAX_CHAT_MESSAGES_PER_MINUTE} per minute",
            retry_after_seconds=seconds_until_room(oldest, MINUTE),
        )


def check_rate(session: Session, *, key: str, limit: int, window: timedelta, what: str) -> None:
    """At most `limit` uses of `key` per fixed window (the clock's minute or hour), counted in
    `rate_windows` and committed at once, so a refused request still counts nothing twice."""
    now = get_utc_now()
    window_seconds = int(window.total_seconds())
    start = datetime.fromtimestamp(now.timestamp() // window_seconds * window_seconds, tz=now.tzinfo)
    counted = session.scalar(
        pg_insert(RateWindow)
        .values(key=key, window_start=start, count=1)
        .on_conflict_do_update(
            index_elements=["key", "window_start"],
            set_={"count": RateWindow.count + 1},
            where=RateWindow.count < limit,
        )
        .returning(RateWindow.count)
    )
    session.commit()
    if counted is None or counted > limit:
        raise RateLimitedError(
            f"Too many {what}: {limit} per {'minute' if window == MINUTE else 'hour'}",
            retry_after_seconds=max(1, int((start + window - now).total_seconds()) + 1),
        )


def purge_old_windows(session: Session) -> int:
    """Windows that ended a day ago or earlier; the caller commits."""
    return session.execute(delete(RateWindow).where(RateWindow.window_start < get_utc_now() - DAY)).rowcount
