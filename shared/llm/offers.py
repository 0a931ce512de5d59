"""What can be called and what it costs: the models the platform offers (LLM_MODELS, priced in credits
per 1,000 tokens), the providers a user may bring a key for, and the cost and maximum cost of a call."""

import json
import math
import os
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any

from shared.config import LLMModel, settings
from shared.errors import InvalidInputError, ServiceUnavailableError
from shared.llm.client import ChatRequest, Endpoint, Usage
from shared.llm.providers import PROVIDERS

CREDIT_QUANTUM = Decimal("0.0001")
PER_TOKENS = 1000
# A token is at least ~3 bytes of UTF-8 in practice (about 4 characters of English, 1 CJK character):
# bytes / 3 bounds a prompt from above without a tokenizer; each message adds a few tokens of framing.
BYTES_PER_TOKEN = 3
TOKENS_PER_MESSAGE = 4
NOT_CONFIGURED = (
    "No model provider is configured: set LLM_BASE_URL and LLM_API_KEY (for a local Ollama: "
    "LLM_BASE_URL=http://127.0.0.1:11434/v1 and any LLM_API_KEY), or LLM_MODELS for more models"
)


class LLMNotConfiguredError(ServiceUnavailableError):
    """The platform has no key for the model asked for."""


def offered(name: str) -> LLMModel | None:
    return next((model for model in settings.LLM_MODELS if model.name == name), None)


def require_offered(name: str) -> LLMModel:
    model = offered(name)
    if model is None:
        raise InvalidInputError(f"The model {name!r} is not offered; GET /v1/llm/models lists those that are")
    return model


def require_provider(name: str) -> str:
    if name not in PROVIDERS:
        raise InvalidInputError(f"Unknown provider; one of: {', '.join(PROVIDERS)}")
    return name


def check_model_choice(model: str | None, provider: str | None) -> None:
    """A model the platform charges for must be offered; with the user's own key any name goes."""
    if provider is not None:
        require_provider(provider)
    elif model is not None:
        require_offered(model)


def platform_key(model: LLMModel) -> str | None:
    """The key of an offered model: LLM_API_KEY, or the one its `api_key_env` names."""
    if model.api_key_env:
        return settings.LLM_PROVIDER_KEYS.get(model.api_key_env) or os.environ.get(model.api_key_env)
    return settings.LLM_API_KEY


def platform_endpoint(model: LLMModel) -> Endpoint:
    key = platform_key(model)
    base_url = model.base_url or settings.LLM_BASE_URL
    if not key or not base_url:
        raise LLMNotConfiguredError(NOT_CONFIGURED)
    return Endpoint(provider=provider_name(base_url), base_url=base_url, api_key=key)


def provider_name(base_url: str) -> str:
    """The name errors give a platform endpoint: a known provider's, else its host."""
    for name, url in PROVIDERS.items():
        if url and base_url.rstrip("/").startswith(url.rstrip("/")):
            return name
    return base_url.split("//", 1)[-1].split("/", 1)[0]


def cost(model: LLMModel, usage: Usage) -> Decimal:
    """prompt_tokens / 1000 · prompt_price + completion_tokens / 1000 · completion_price, to 4 decimals."""
    exact = (
        Decimal(usage.prompt_tokens) * model.prompt_price
        + Decimal(usage.completion_tokens) * model.completion_price
    ) / PER_TOKENS
    return exact.quantize(CREDIT_QUANTUM, rounding=ROUND_HALF_UP)


def estimated_prompt_tokens(messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None) -> int:
    """An upper estimate of a request's prompt tokens, without a tokenizer."""
    payload = json.dumps(messages, ensure_ascii=False) + (
        json.dumps(tools, ensure_ascii=False) if tools else ""
    )
    return math.ceil(len(payload.encode()) / BYTES_PER_TOKEN) + TOKENS_PER_MESSAGE * len(messages)


def max_cost(model: LLMModel, request: ChatRequest) -> Decimal:
    """What the call can cost at most: its estimated prompt and every completion token it may produce,
    rounded up, so a hold of it always covers the call."""
    exact = (
        Decimal(estimated_prompt_tokens(request.messages, request.tools)) * model.prompt_price
        + Decimal(request.max_tokens) * model.completion_price
    ) / PER_TOKENS
    return exact.quantize(CREDIT_QUANTUM, rounding=ROUND_CEILING)


def largest_call_cost(
    graph: dict[str, Any], *, model: str, provider: str | None, system_prompt: str | None
) -> Decimal:
    """The most one platform-charged llm node of a graph may cost, its templates as written standing in
    for the prompts (0 when no node is charged, or a model is not offered any more: the node will say)."""
    largest = Decimal(0)
    for node in graph.get("nodes", []):
        if node.get("type") != "llm":
            continue
        data = node.get("data") or {}
        offer = offered(data.get("model") or model)
        if (data.get("provider") or provider) is not None or offer is None:
            continue
        system = data.get("system_prompt") or system_prompt
        messages = ([{"role": "system", "content": system}] if system else []) + [
            {"role": "user", "content": data.get("prompt", "")}
        ]
        request = ChatRequest(
            model=offer.name,
            messages=messages,
            max_tokens=data.get("max_tokens") or settings.LLM_DEFAULT_MAX_TOKENS,
        )
        largest = max(largest, max_cost(offer, request))
    return largest
