"""The one path to a model. Every call is resolved here (an offered model on the platform's key, or
the caller's own key for a provider), its maximum cost held, the call made, the real cost settled
(bonus credits first) or the hold released, and the usage metered to its session. Nothing else in
the code calls a provider. Calls with the user's own key are metered but not charged.

The session is committed: the hold before the call (so concurrent calls see it), the charge and the
usage after."""

import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from aws_lambda_powertools import Logger
from sqlalchemy.orm import Session

from shared.config import LLMModel, settings
from shared.errors import InvalidInputError, PaymentRequiredError
from shared.llm import client, credits, keys, offers, usage
from shared.llm.client import ChatRequest, Endpoint, ToolCall, Usage

logger = Logger(child=True)


@dataclass(frozen=True)
class Caller:
    """Who pays for a call, and the session its usage is metered to (`execution` + the execution id,
    `conversation` + the conversation id, ...)."""

    user_id: uuid.UUID
    session_type: str
    session_id: str

    @property
    def reference(self) -> str:
        return f"{self.session_type}:{self.session_id}"


@dataclass(frozen=True)
class Answer:
    text: str | None
    tool_calls: list[ToolCall]
    finish_reason: str | None
    usage: Usage
    credits: Decimal  # what the call was charged (0 with the user's own key)
    model: str
    provider: str


@dataclass(frozen=True)
class Route:
    """Where a call goes and, for an offered model, its price."""

    endpoint: Endpoint
    offer: LLMModel | None  # None: the user's own key, not charged


def route(session: Session, *, user_id: uuid.UUID, model: str, provider: str | None) -> Route:
    """The user's own key for `provider`, else the offered `model` on the platform's key (422 for a
    model not offered or a provider without a key of theirs, 503 when the platform has no key)."""
    if provider is not None:
        return Route(keys.endpoint_for(session, user_id=user_id, provider=provider), None)
    offer = offers.require_offered(model)
    return Route(offers.platform_endpoint(offer), offer)


def ensure_affordable(
    session: Session, *, user_id: uuid.UUID, model: str | None, messages: list[dict[str, Any]]
) -> None:
    """402 before a chat stores anything, when the caller's balances cannot cover one model call of its
    turn on the platform's key (503 naming the settings when the platform has no key)."""
    offer = offers.require_offered(model or settings.LLM_DEFAULT_MODEL)
    offers.platform_endpoint(offer)
    request = ChatRequest(model=offer.name, messages=messages, max_tokens=settings.LLM_DEFAULT_MAX_TOKENS)
    required = offers.max_cost(offer, request)
    available = credits.balances(session, user_id).total
    if required > Decimal(0) and available < required:
        raise PaymentRequiredError(
            f"Not enough credits: a reply may cost up to {required} credits and {available} are available"
        )


def complete(
    session: Session,
    *,
    caller: Caller,
    messages: list[dict[str, Any]],
    model: str | None = None,
    provider: str | None = None,
    tools: list[dict[str, Any]] | None = None,
    tool_choice: str | dict[str, Any] | None = None,
    json_response: bool = False,
    temperature: float | None = None,
    max_tokens: int | None = None,
    timeout: float | None = None,
    sleep: client.Sleep = time.sleep,
) -> Answer:
    """One chat completion, metered and charged. Raises PaymentRequiredError (402) when the balances
    cannot cover its maximum cost, LLMNotConfiguredError (503), InvalidInputError (422), or the
    client's LLMError when the provider gives no answer (the hold is released then)."""
    name = model or settings.LLM_DEFAULT_MODEL
    request = ChatRequest(
        model=name,
        messages=messages,
        max_tokens=max_tokens or settings.LLM_DEFAULT_MAX_TOKENS,
        temperature=temperature,
        tools=tools,
        tool_choice=tool_choice,
        json_response=json_response,
    )
    target = route(session, user_id=caller.user_id, model=name, provider=provider)
    if tools and target.offer is not None and not target.offer.supports_tools:
        raise InvalidInputError(f"The model {name!r} does not support tools")
    held = None
    if target.offer is not None:
        held = credits.hold(
            session,
            user_id=caller.user_id,
            amount=offers.max_cost(target.offer, request),
            reference=caller.reference,
        )
        session.commit()
    try:
        result = client.chat(
            target.endpoint,
            request,
            timeout=min(timeout or settings.LLM_TIMEOUT_SECONDS, settings.LLM_TIMEOUT_SECONDS),
            max_retries=settings.LLM_MAX_RETRIES,
            retry_base_seconds=settings.LLM_RETRY_BASE_SECONDS,
            sleep=sleep,
        )
    except BaseException:
        if held is not None:
            credits.release(session, held, note="the call failed")
            session.commit()
        raise
    charged = Decimal(0)
    if held is not None and target.offer is not None:
        charged = credits.settle(session, held, offers.cost(target.offer, result.usage))
    usage.record(
        session,
        user_id=caller.user_id,
        session_type=caller.session_type,
        session_id=caller.session_id,
        model=name,
        provider=target.endpoint.provider,
        usage=result.usage,
        credits=charged,
    )
    session.commit()
    return Answer(
        text=result.text,
        tool_calls=result.tool_calls,
        finish_reason=result.finish_reason,
        usage=result.usage,
        credits=charged,
        model=name,
        provider=target.endpoint.provider,
    )
