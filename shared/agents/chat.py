"""Chatting with an agent or a workflow. The answer is given in the request when it is ready within
CHAT_SYNC_TIMEOUT_SECONDS (200); otherwise the request answers 202 with a pending assistant message that
the worker finishes and the client polls: an agent's turn goes on as a `chat.reply` message, a
workflow's run is handed to the worker at its next node."""

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from shared import quotas
from shared.agents import conversations, loop, replies
from shared.agents.models import Agent, Conversation, Message
from shared.config import settings
from shared.errors import PaymentRequiredError, PermissionDeniedError, ServiceUnavailableError
from shared.executions import lifecycle, worker
from shared.executions.models import AgentExecution, ExecutionStatus
from shared.llm import gateway
from shared.llm.client import LLMError, ProviderUnavailable
from shared.queue import messages as queue_messages
from shared.queue import service as queue_service
from shared.users.models import User
from shared.workflows.models import AgentWorkflow

NO_ANSWER = "The model did not answer; try again shortly"


@dataclass(frozen=True)
class ChatOutcome:
    conversation: Conversation
    message: Message
    ready: bool  # False: pending, the worker finishes it (202)


def _deadline() -> float:
    return time.monotonic() + settings.CHAT_SYNC_TIMEOUT_SECONDS


def chat_with_agent(
    session: Session, *, agent: Agent, user: User, text: str, conversation_id: uuid.UUID | None
) -> ChatOutcome:
    """Send a message to an agent: the owner may always, anyone signed in when it is published for chat
    (on their own credits, with its skill tools only)."""
    if agent.user_id != user.id and not (agent.is_published and agent.is_public_chat):
        raise PermissionDeniedError("Only its owner may chat with this agent")
    quotas.check_chat_messages(session, user.id)
    conversation = conversations.find_or_start(
        session,
        user=user,
        conversation_id=conversation_id,
        first_message=text,
        agent_id=agent.id,
        project_id=agent.project_id if agent.user_id == user.id else None,
    )
    seen = conversations.history(session, conversation, system_prompt=agent.system_prompt, model=agent.model)
    gateway.ensure_affordable(
        session, user_id=user.id, model=agent.model, messages=[*seen, {"role": "user", "content": text}]
    )
    conversations.add_message(session, conversation, role="user", content=text)
    session.commit()
    try:
        answer = replies.reply(
            session, conversation=conversation, agent=agent, user=user, deadline=_deadline()
        )
    except loop.HandOver:
        return ChatOutcome(conversation, _hand_over(session, conversation), ready=False)
    except ProviderUnavailable as exc:
        replies.failed(session, conversation, str(exc))
        raise ServiceUnavailableError(NO_ANSWER) from None
    except LLMError as exc:  # a refused key or request: the platform's configuration, not the caller's
        replies.failed(session, conversation, str(exc))
        raise ServiceUnavailableError(NO_ANSWER) from None
    except PaymentRequiredError as exc:
        replies.failed(session, conversation, exc.message)
        raise
    return ChatOutcome(conversation, answer, ready=True)


def _hand_over(session: Session, conversation: Conversation) -> Message:
    """A pending assistant message, and the `chat.reply` that has the worker finish it."""
    pending = conversations.add_message(session, conversation, role="assistant", status="pending")
    session.commit()
    try:
        queue_service.send(session, queue_messages.ChatReply(message_id=pending.id))
    except queue_service.QueueUnavailableError:
        replies.failed(session, conversation, "the reply could not be queued", pending)
        raise ServiceUnavailableError("The reply could not be queued; try again shortly") from None
    return pending


def chat_with_workflow(
    session: Session, *, workflow: AgentWorkflow, user: User, text: str, conversation_id: uuid.UUID | None
) -> ChatOutcome:
    """Send a message to one of the caller's workflows: a run with input `{message, history}` (earlier
    turns as `{role, content}`), answered by its output (`text`, or its one value, or all of it)."""
    quotas.check_chat_messages(session, user.id)
    conversation = conversations.find_or_start(
        session,
        user=user,
        conversation_id=conversation_id,
        first_message=text,
        workflow_id=workflow.id,
        project_id=workflow.project_id,
    )
    earlier = [
        {"role": message["role"], "content": message["content"]}
        for message in conversations.history(
            session, conversation, system_prompt=None, model=workflow.llm_model
        )
        if message["role"] in ("user", "assistant") and not message.get("tool_calls")
    ]
    execution = lifecycle.admit(
        session,
        lifecycle.new_execution(
            workflow_id=workflow.id,
            user_id=user.id,
            workflow_version=workflow.version,
            input_data={"message": text, "history": earlier},
            trigger_type="chat",
            trigger_metadata={"conversation_id": str(conversation.id)},
        ),
    )
    conversations.add_message(session, conversation, role="user", content=text)
    pending = conversations.add_message(
        session,
        conversation,
        role="assistant",
        status="pending",
        metadata={"execution_id": str(execution.id)},
    )
    session.commit()
    worker.run_execution(session=session, execution_id=execution.id, yield_at=_deadline())
    session.refresh(execution)
    ready = finish_from_run(session, pending, execution)
    return ChatOutcome(conversation, pending, ready=ready)


def reply_text(output: dict[str, Any] | None) -> str:
    """What a run's output says: its `text`, else its one value, else all of it."""
    output = output or {}
    if isinstance(output.get("text"), str):
        return output["text"]
    if len(output) == 1 and isinstance(next(iter(output.values())), str):
        return next(iter(output.values()))
    return json.dumps(output, ensure_ascii=False, default=str)


def finish_from_run(session: Session, message: Message, execution: AgentExecution) -> bool:
    """Complete (or fail) a workflow's pending reply once its run has ended; False while it runs."""
    if execution.status in (ExecutionStatus.PENDING, ExecutionStatus.RUNNING):
        return False
    metadata = {
        **message.message_metadata,
        "usage": {"tokens": execution.token_usage, "credits": float(execution.credits_used)},
        "duration_ms": execution.duration_ms,
    }
    if execution.status == ExecutionStatus.COMPLETED:
        message.status, message.content = "complete", reply_text(execution.output_data)
    else:
        message.status, message.content = "failed", ""
        metadata["error"] = execution.error_message or execution.status
    message.message_metadata = metadata
    session.commit()
    return True


def refresh_pending(session: Session, conversation: Conversation) -> None:
    """Complete the workflow replies whose runs the worker has finished since (read when listed)."""
    for message in conversations.messages_of(session, conversation):
        execution_id = message.message_metadata.get("execution_id")
        if message.status == "pending" and execution_id:
            execution = session.get(AgentExecution, uuid.UUID(execution_id))
            if execution is not None:
                finish_from_run(session, message, execution)
