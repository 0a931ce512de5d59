"""Per-user abuse quotas (OWASP API4), counted in PostgreSQL; every limit is a setting.

Each check takes a transaction-scoped advisory lock on its key first, so concurrent requests of one
user are counted one after the other and cannot overshoot; the lock ends with the caller's commit."""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.agents.models import Conversation, Message
from shared.config import get_utc_now, settings
from shared.connections.models import ChatMessage, ChatSession
from shared.errors import QuotaExceededError, RateLimitedError
from shared.executions.models import AgentExecution
from shared.memory.models import AgentMemory
from shared.projects.models import Project

DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)


def serialize(session: Session, key: str) -> None:
    session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))


def seconds_until_room(oldest: datetime, window: timedelta) -> int:
    """When the oldest counted event leaves the sliding window."""
    return max(1, int((oldest + window - get_utc_now()).total_seconds()) + 1)


def _runs_since(
    session: Session, user_id: uuid.UUID, window: timedelta, *triggers: str
) -> tuple[int, datetime]:
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
    if count < settings.MAX_RUNS_PER_DAY:
        return None
    return RateLimitedError(
        f"Daily run quota reached: {settings.MAX_RUNS_PER_DAY} runs in 24 hours",
        retry_after_seconds=seconds_until_room(oldest, DAY),
    )


def check_webhook_calls(session: Session, user_id: uuid.UUID) -> None:
    """MAX_WEBHOOK_CALLS_PER_MINUTE accepted calls over all of the owner's webhooks."""
    serialize(session, f"webhooks:{user_id}")
    count, oldest = _runs_since(session, user_id, MINUTE, "webhook")
    if count >= settings.MAX_WEBHOOK_CALLS_PER_MINUTE:
        raise RateLimitedError(
            f"Too many webhook calls: {settings.MAX_WEBHOOK_CALLS_PER_MINUTE} per minute",
            retry_after_seconds=seconds_until_room(oldest, MINUTE),
        )


def check_memory_room(session: Session, workflow_id: uuid.UUID, adding: int) -> None:
    """MAX_MEMORIES_PER_WORKFLOW: the batch goes in whole or not at all."""
    serialize(session, f"memories:{workflow_id}")
    held = session.scalar(select(func.count()).where(AgentMemory.workflow_id == workflow_id)) or 0
    if held + adding > settings.MAX_MEMORIES_PER_WORKFLOW:
        raise QuotaExceededError(
            f"This workflow holds {held} memories; adding {adding} would pass the limit of "
            f"{settings.MAX_MEMORIES_PER_WORKFLOW}. Delete some first."
        )


def check_chat_messages(session: Session, user_id: uuid.UUID) -> None:
    """MAX_CHAT_MESSAGES_PER_MINUTE messages sent by the user, over all their conversations."""
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
    if count >= settings.MAX_CHAT_MESSAGES_PER_MINUTE:
        raise RateLimitedError(
            f"Too many chat messages: {settings.MAX_CHAT_MESSAGES_PER_MINUTE} per minute",
            retry_after_seconds=seconds_until_room(oldest, MINUTE),
        )


def check_project_room(session: Session, user_id: uuid.UUID) -> None:
    """MAX_PROJECTS_PER_USER, archived projects included: archiving keeps the row (it can be restored),
    so it frees no room."""
    serialize(session, f"projects:{user_id}")
    held = session.scalar(select(func.count()).where(Project.user_id == user_id)) or 0
    if held >= settings.MAX_PROJECTS_PER_USER:
        raise QuotaExceededError(
            f"Project limit reached: MAX_PROJECTS_PER_USER is {settings.MAX_PROJECTS_PER_USER}, archived "
            "projects included; restore an archived project and reuse it"
        )


def check_database_questions(session: Session, user_id: uuid.UUID) -> None:
    """MAX_CHAT_MESSAGES_PER_MINUTE questions asked by the user of their databases, over all sessions."""
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
