"""Asking a connection questions: the session and its messages, the answer made in the request while
CHAT_SYNC_TIMEOUT_SECONDS lasts (200) or finished by the worker (`connection.chat`, 202 with a pending
message), and the reply that could not be made because the model did not answer (503)."""

import time
import uuid
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import quotas
from shared.config import settings
from shared.connections import nl2sql, sessions
from shared.connections.models import ChatMessage, ChatSession, DatabaseConnection
from shared.connections.nl2sql import Context, HandOver, Turn
from shared.errors import ConflictError, DomainError, PaymentRequiredError, ServiceUnavailableError
from shared.llm import gateway
from shared.llm.client import LLMError
from shared.queue import messages as queue_messages
from shared.queue import service as queue_service
from shared.users.models import User

logger = Logger(child=True)

NO_ANSWER = "The model did not answer; try again shortly"


@dataclass(frozen=True)
class Outcome:
    chat_session: ChatSession
    message: ChatMessage
    ready: bool  # False: pending, the worker finishes it (202)


def ask(
    session: Session,
    *,
    connection: DatabaseConnection,
    user: User,
    question: str,
    session_id: uuid.UUID | None,
    explain: bool,
) -> Outcome:
    """Answer a question about a ready connection (409 otherwise), in the caller's session."""
    if connection.status != "ready":
        raise ConflictError(
            f"The connection is not ready to answer questions: its analysis is {connection.status}"
            + (f" ({connection.status_message})" if connection.status_message else "")
        )
    quotas.check_database_questions(session, user.id)
    chat_session = sessions.find_or_start(
        session, connection=connection, user=user, session_id=session_id, title=question
    )
    history = nl2sql.history(session, chat_session)
    gateway.ensure_affordable(
        session, user_id=user.id, model=None, messages=[*history, {"role": "user", "content": question}]
    )
    asked = sessions.add_message(session, chat_session, role="user", content=question)
    session.commit()
    turn = Turn.start(question, explain)
    context = Context(
        session,
        connection,
        chat_session,
        user.id,
        deadline=time.monotonic() + settings.CHAT_SYNC_TIMEOUT_SECONDS,
        history=history,
    )
    try:
        nl2sql.run(context, turn)
    except HandOver:
        return Outcome(chat_session, _hand_over(session, chat_session, turn, asked), ready=False)
    except (LLMError, ServiceUnavailableError) as exc:
        failed(session, chat_session, turn, str(getattr(exc, "message", exc)))
        raise ServiceUnavailableError(NO_ANSWER) from None
    except PaymentRequiredError as exc:
        failed(session, chat_session, turn, exc.message)
        raise
    answer = sessions.add_message(session, chat_session, role="assistant", **answer_fields(turn))
    session.commit()
    return Outcome(chat_session, answer, ready=True)


def answer_fields(turn: Turn) -> dict[str, Any]:
    """The columns of the assistant message that records a turn's answer."""
    result = turn.result or {}
    metadata = {
        "tables": turn.tables,
        "explanation": turn.explanation,
        "attempts": turn.attempts,
        "truncated": bool(result.get("truncated")),
        "usage": turn.usage,
        "language": turn.language,
        "explain_mode": turn.explain,
    }
    return {
        "content": turn.answer or "",
        "status": "complete",
        "sql_query": turn.sql,
        "columns": result.get("columns"),
        "rows": result.get("rows"),
        "row_count": len(result["rows"]) if result else None,
        "execution_time_ms": result.get("execution_time_ms"),
        "error": turn.error,
        "metadata": metadata,
    }


def failed(
    session: Session, chat_session: ChatSession, turn: Turn, error: str, message: ChatMessage | None = None
) -> ChatMessage:
    """The answer that could not be made, saying why."""
    session.rollback()
    if message is None:
        message = sessions.add_message(session, chat_session, role="assistant", status="failed")
    message.status, message.content, message.error = "failed", "", error[:1000]
    message.message_metadata = {**message.message_metadata, "usage": turn.usage}
    session.commit()
    return message


def _hand_over(session: Session, chat_session: ChatSession, turn: Turn, asked: ChatMessage) -> ChatMessage:
    pending = sessions.add_message(
        session,
        chat_session,
        role="assistant",
        status="pending",
        metadata={"turn": turn.state(), "question_id": str(asked.id)},
    )
    session.commit()
    try:
        queue_service.send(session, queue_messages.ConnectionChat(message_id=pending.id))
    except queue_service.QueueUnavailableError:
        failed(session, chat_session, turn, "the answer could not be queued", pending)
        raise ServiceUnavailableError("The answer could not be queued; try again shortly") from None
    return pending


def finish_pending(session: Session, message_id: uuid.UUID) -> None:
    """The worker's part (`connection.chat`): go on with a pending answer from its saved state; a second
    delivery finds it done."""
    pending = session.scalar(
        select(ChatMessage).where(ChatMessage.id == message_id).with_for_update(skip_locked=True)
    )
    if pending is None or pending.status != "pending":
        return
    chat_session = session.get(ChatSession, pending.session_id)
    connection = session.get(DatabaseConnection, chat_session.connection_id) if chat_session else None
    state = pending.message_metadata.get("turn")
    if chat_session is None or connection is None or not isinstance(state, dict):
        session.delete(pending)
        session.commit()
        return
    turn = Turn(**state)
    context = Context(
        session,
        connection,
        chat_session,
        chat_session.user_id,
        history=nl2sql.history(session, chat_session, before=pending),
    )
    try:
        nl2sql.run(context, turn)
    except (LLMError, DomainError) as exc:
        failed(
            session,
            chat_session,
            turn,
            str(getattr(exc, "message", exc)),
            session.get(ChatMessage, message_id),
        )
        logger.warning(
            "database chat answer failed", extra={"message_id": str(message_id), "error": type(exc).__name__}
        )
        return
    fields = answer_fields(turn)
    pending.message_metadata = fields.pop("metadata")
    for name, value in fields.items():
        setattr(pending, name, value)
    session.commit()
