"""Conversations and their messages: finding or starting one, recording messages, the history a model
sees (what fits its context window, whole messages only, oldest turns dropped first), reading, renaming
and deleting. A conversation is its user's alone: anyone else's is a 404."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.agents.models import Conversation, Message
from shared.api.pagination import PageParams, paginate
from shared.config import get_utc_now, settings
from shared.errors import NotFoundError
from shared.llm import offers
from shared.users.models import User

TITLE_LENGTH = 80


def find_or_start(
    session: Session,
    *,
    user: User,
    conversation_id: uuid.UUID | None,
    first_message: str,
    agent_id: uuid.UUID | None = None,
    workflow_id: uuid.UUID | None = None,
    project_id: uuid.UUID | None = None,
) -> Conversation:
    """The caller's conversation with this agent or workflow, or a new one titled by its first message."""
    if conversation_id is not None:
        conversation = session.scalar(
            select(Conversation).where(
                Conversation.id == conversation_id,
                Conversation.user_id == user.id,
                Conversation.agent_id == agent_id if agent_id else Conversation.workflow_id == workflow_id,
            )
        )
        if conversation is None:
            raise NotFoundError("Conversation not found")
        return conversation
    title = " ".join(first_message.split())
    conversation = Conversation(
        id=uuid.uuid4(),
        user_id=user.id,
        agent_id=agent_id,
        workflow_id=workflow_id,
        project_id=project_id,
        title=title[:TITLE_LENGTH] + ("…" if len(title) > TITLE_LENGTH else ""),
    )
    session.add(conversation)
    session.flush()
    return conversation


def add_message(
    session: Session,
    conversation: Conversation,
    *,
    role: str,
    content: str = "",
    status: str = "complete",
    metadata: dict[str, Any] | None = None,
) -> Message:
    message = Message(
        id=uuid.uuid4(),
        conversation_id=conversation.id,
        role=role,
        content=content,
        status=status,
        message_metadata=metadata or {},
    )
    session.add(message)
    conversation.updated_at = get_utc_now()
    session.flush()
    return message


def record_model_message(session: Session, conversation: Conversation, message: dict[str, Any]) -> Message:
    """Keep an assistant message that asked for tools, or a tool's result, as the model wrote or read it."""
    if message["role"] == "tool":
        return add_message(
            session,
            conversation,
            role="tool",
            content=message["content"],
            metadata={"tool_call_id": message["tool_call_id"], "name": message.get("name")},
        )
    return add_message(
        session,
        conversation,
        role="assistant",
        content=message.get("content") or "",
        metadata={"tool_requests": message["tool_calls"]},
    )


def as_model_message(message: Message) -> dict[str, Any] | None:
    """A stored message as the model reads it (OpenAI's format); None for what it never sees."""
    if message.status != "complete" or message.role == "system":
        return None
    if message.role == "tool":
        return {
            "role": "tool",
            "tool_call_id": message.message_metadata.get("tool_call_id"),
            "content": message.content,
        }
    if message.role == "assistant" and message.message_metadata.get("tool_requests"):
        return {
            "role": "assistant",
            "content": message.content,
            "tool_calls": message.message_metadata["tool_requests"],
        }
    return {"role": message.role, "content": message.content}


def messages_of(session: Session, conversation: Conversation) -> list[Message]:
    return list(
        session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation.id)
            .order_by(Message.created_at, Message.id)
        )
    )


def history(
    session: Session, conversation: Conversation, *, system_prompt: str | None, model: str | None
) -> list[dict[str, Any]]:
    """The system prompt and the conversation's most recent messages that fit the model's context window
    (room left for the answer), whole messages only; a tool result never starts it without its request."""
    offer = offers.offered(model or settings.LLM_DEFAULT_MODEL)
    window = offer.context_window if offer is not None else 8000
    budget = window - settings.LLM_DEFAULT_MAX_TOKENS
    system = [{"role": "system", "content": system_prompt}] if system_prompt else []
    budget -= offers.estimated_prompt_tokens(system)
    kept: list[dict[str, Any]] = []
    for message in reversed(messages_of(session, conversation)):
        seen = as_model_message(message)
        if seen is None:
            continue
        cost = offers.estimated_prompt_tokens([seen])
        if cost > budget:
            break
        budget -= cost
        kept.append(seen)
    kept.reverse()
    while kept and kept[0]["role"] == "tool":
        kept.pop(0)
    return system + kept


def get_owned(session: Session, *, conversation_id: uuid.UUID, user: User) -> Conversation:
    conversation = session.scalar(
        select(Conversation).where(Conversation.id == conversation_id, Conversation.user_id == user.id)
    )
    if conversation is None:
        raise NotFoundError("Conversation not found")
    return conversation


def rename(session: Session, conversation: Conversation, title: str) -> Conversation:
    conversation.title = title
    session.commit()
    return conversation


def delete(session: Session, conversation: Conversation) -> None:
    """The conversation and its messages (the runs a workflow chat made stay with the workflow)."""
    session.delete(conversation)
    session.commit()


def list_conversations(
    session: Session,
    *,
    user: User,
    page: PageParams,
    agent_id: uuid.UUID | None = None,
    workflow_id: uuid.UUID | None = None,
    project_id: uuid.UUID | None = None,
) -> tuple[list[Conversation], int]:
    """The caller's conversations, most recently active first."""
    query = select(Conversation).where(Conversation.user_id == user.id)
    for column, value in (
        (Conversation.agent_id, agent_id),
        (Conversation.workflow_id, workflow_id),
        (Conversation.project_id, project_id),
    ):
        if value is not None:
            query = query.where(column == value)
    return paginate(session, query.order_by(Conversation.updated_at.desc(), Conversation.id), page)


def list_messages(
    session: Session, *, conversation: Conversation, page: PageParams
) -> tuple[list[Message], int]:
    """A conversation's messages, oldest first."""
    query = select(Message).where(Message.conversation_id == conversation.id)
    return paginate(session, query.order_by(Message.created_at, Message.id), page)
