"""An agent's reply in a conversation, made in the request while its synchronous time lasts and
otherwise by the worker (`chat.reply`), from the messages recorded so far. Usage is metered to the
conversation (session type `conversation`) and charged to whoever is chatting."""

import time
import uuid
from typing import Any

from aws_lambda_powertools import Logger
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.agents import conversations, loop
from shared.agents import tools as agent_tools
from shared.agents.models import Agent, Conversation, Message
from shared.config import get_utc_now
from shared.errors import DomainError
from shared.llm import gateway
from shared.llm.client import LLMError
from shared.users.models import User

logger = Logger(child=True)


def reply(
    session: Session,
    *,
    conversation: Conversation,
    agent: Agent,
    user: User,
    deadline: float | None,
    pending: Message | None = None,
    seen: list[dict[str, Any]] | None = None,
) -> Message:
    """The agent's answer to the conversation's last message, as a complete assistant message (the
    `pending` one when the worker finishes it). Raises loop.HandOver when the deadline comes first, and
    the gateway's errors (402, 503, LLMError) when there is no answer to give."""
    started = time.monotonic()
    messages = conversations.history(
        session, conversation, system_prompt=agent.system_prompt, model=agent.model
    )
    tools = agent_tools.resolve(
        session, owner_id=agent.user_id, specs=agent.tools, owner_only=agent.user_id != user.id
    )
    caller = gateway.Caller(user_id=user.id, session_type="conversation", session_id=str(conversation.id))

    def record(message: dict[str, Any]) -> None:
        conversations.record_model_message(session, conversation, message)
        session.commit()  # a hand-over to the worker goes on from here

    turn = loop.take_turn(
        session, agent=agent, caller=caller, messages=messages, tools=tools, deadline=deadline, record=record
    )
    metadata = {
        "model": turn.model,
        "usage": turn.usage(),
        "tool_calls": turn.tool_calls,
        "steps": turn.steps,
        "latency_ms": round((time.monotonic() - started) * 1000, 1),
    }
    if pending is None:
        answer = conversations.add_message(
            session, conversation, role="assistant", content=turn.text, metadata=metadata
        )
    else:
        answer = pending
        answer.content, answer.status, answer.message_metadata = turn.text, "complete", metadata
        answer.created_at = get_utc_now()  # the answer comes after the tool messages of its turn
    session.commit()
    return answer


def failed(
    session: Session, conversation: Conversation, error: str, message: Message | None = None
) -> Message:
    """The reply that could not be made, saying why."""
    if message is None:
        message = conversations.add_message(session, conversation, role="assistant", status="failed")
    message.status, message.content = "failed", ""
    message.message_metadata = {**message.message_metadata, "error": error[:1000]}
    session.commit()
    return message


def finish_reply(session: Session, message_id: uuid.UUID) -> None:
    """The worker's part (`chat.reply`): answer a pending message; a second delivery finds it done."""
    pending = session.scalar(
        select(Message).where(Message.id == message_id).with_for_update(skip_locked=True)
    )
    if pending is None or pending.status != "pending":
        return
    conversation = session.get(Conversation, pending.conversation_id)
    agent = session.get(Agent, conversation.agent_id) if conversation and conversation.agent_id else None
    user = session.get(User, conversation.user_id) if conversation else None
    if conversation is None or agent is None or user is None:
        session.delete(pending)
        session.commit()
        return
    try:
        reply(session, conversation=conversation, agent=agent, user=user, deadline=None, pending=pending)
    except (LLMError, DomainError) as exc:
        session.rollback()
        failed(
            session, conversation, getattr(exc, "message", None) or str(exc), session.get(Message, message_id)
        )
        logger.warning(
            "chat reply failed", extra={"message_id": str(message_id), "error": type(exc).__name__}
        )
