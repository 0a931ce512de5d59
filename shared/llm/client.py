"""The one client of OpenAI-compatible chat completions (DeepSeek, OpenAI, Qwen/DashScope compatible
mode, Moonshot, Zhipu, Ollama, vLLM, any base URL): messages, function tools and tool calls, JSON
response format, temperature, max_tokens; retries with exponential backoff and jitter on 429, 5xx,
timeouts and lost connections, honouring Retry-After; errors that name the provider and the status,
never the key. Only shared.llm.gateway calls it: that is where calls are metered and charged."""

import email.utils
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from shared import outbound

if TYPE_CHECKING:
    import httpx

MAX_PROVIDER_MESSAGE_CHARS = 300
MAX_ANSWER_BYTES = 4_000_000


@dataclass(frozen=True)
class Endpoint:
    """Where a call goes. A `guarded` base URL came from a user: the SSRF guard checks it at every call
    and the connection goes to the checked address; the platform's own is operator configuration."""

    provider: str
    base_url: str
    api_key: str | None = field(repr=False)
    guarded: bool = False


@dataclass(frozen=True)
class ChatRequest:
    model: str
    messages: list[dict[str, Any]]
    max_tokens: int
    temperature: float | None = None
    tools: list[dict[str, Any]] | None = None  # OpenAI function tools
    tool_choice: str | dict[str, Any] | None = None
    json_response: bool = False

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "messages": self.messages, "max_tokens": self.max_tokens}
        if self.temperature is not None:
            body["temperature"] = self.temperature
        if self.tools:
            body["tools"] = self.tools
            if self.tool_choice is not None:
                body["tool_choice"] = self.tool_choice
        if self.json_response:
            body["response_format"] = {"type": "json_object"}
        return body


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: dict[str, Any] | None  # None when the model's arguments are not a JSON object
    raw_arguments: str


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(frozen=True)
class ChatResult:
    text: str | None
    tool_calls: list[ToolCall]
    finish_reason: str | None
    usage: Usage
    model: str


class LLMError(Exception):
    """A model call that did not give an answer; the message is safe to show (no key, no prompt)."""

    def __init__(self, message: str, *, provider: str, status: int | None = None) -> None:
        super().__init__(message)
        self.provider = provider
        self.status = status


class ProviderUnavailable(LLMError):
    """429, 5xx, a timeout or a lost connection, still so after the retries."""

    def __init__(
        self, message: str, *, provider: str, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, provider=provider, status=status)
        self.retry_after = retry_after  # seconds, when the provider said (Retry-After)


class ProviderRefused(LLMError):
    """The provider refused the request for good: a bad key (401/403), a bad request (4xx), or an
    address the SSRF guard refuses."""


class MalformedAnswer(LLMError):
    """The provider answered 200 with something that is not a chat completion."""


Sleep = Callable[[float], None]


def chat(
    endpoint: Endpoint,
    request: ChatRequest,
    *,
    timeout: float,
    max_retries: int,
    retry_base_seconds: float,
    sleep: Sleep = time.sleep,
) -> ChatResult:
    """One chat completion within `timeout` seconds in all, retries included."""
    deadline = time.monotonic() + timeout
    url = f"{endpoint.base_url.rstrip('/')}/chat/completions"
    attempt = 0
    while True:
        attempt += 1
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ProviderUnavailable(
                f"{endpoint.provider} did not answer within {timeout:g}s", provider=endpoint.provider
            )
        try:
            return _attempt(endpoint, url, request, remaining)
        except ProviderUnavailable as exc:
            delay = _retry_delay(exc, attempt, retry_base_seconds)
            if attempt > max_retries or delay is None or delay >= deadline - time.monotonic():
                raise
            sleep(delay)


def _attempt(endpoint: Endpoint, url: str, request: ChatRequest, timeout: float) -> ChatResult:
    import httpx  # imported at the first call: services that only check model names stay light

    headers = {"Content-Type": "application/json"}
    if endpoint.api_key:
        headers["Authorization"] = f"Bearer {endpoint.api_key}"
    extensions: dict[str, Any] = {}
    http = outbound.http_client()
    if endpoint.guarded:
        try:
            address = outbound.check_destination(url)
        except outbound.OutboundError as exc:
            raise ProviderRefused(str(exc), provider=endpoint.provider) from None
        http = outbound.http_client(urlsplit(url).hostname)
        url, host_header, extensions = outbound.pinned(url, address)
        headers.update(host_header)
    try:
        response = http.post(
            url, json=request.body(), headers=headers, extensions=extensions, timeout=timeout
        )
    except httpx.TimeoutException:
        raise ProviderUnavailable(
            f"{endpoint.provider} did not answer within {timeout:.3g}s", provider=endpoint.provider
        ) from None
    except httpx.HTTPError as exc:
        raise ProviderUnavailable(
            f"cannot reach {endpoint.provider}: {type(exc).__name__}", provider=endpoint.provider
        ) from None
    return _parse(endpoint.provider, response, request.model)


def _provider_message(response: "httpx.Response") -> str:
    """The provider's own error message (OpenAI's `{"error": {"message"}}`), shortened."""
    try:
        error = response.json().get("error")
        message = error.get("message") if isinstance(error, dict) else error
    except (ValueError, AttributeError):
        message = None
    return str(message or response.reason_phrase or "")[:MAX_PROVIDER_MESSAGE_CHARS]


def _parse(provider: str, response: "httpx.Response", model: str) -> ChatResult:
    status = response.status_code
    if status == 429 or status >= 500:
        raise ProviderUnavailable(
            f"{provider} answered HTTP {status}",
            provider=provider,
            status=status,
            retry_after=_retry_after_seconds(response.headers.get("Retry-After")),
        )
    if status in (401, 403):
        raise ProviderRefused(
            f"{provider} refused the API key (HTTP {status}): {_provider_message(response)}",
            provider=provider,
            status=status,
        )
    if status >= 300:
        raise ProviderRefused(
            f"{provider} refused the request (HTTP {status}): {_provider_message(response)}",
            provider=provider,
            status=status,
        )
    if len(response.content) > MAX_ANSWER_BYTES:
        raise MalformedAnswer(
            f"{provider}'s answer is larger than {MAX_ANSWER_BYTES} bytes", provider=provider
        )
    try:
        payload = response.json()
        choice = payload["choices"][0]
        message = choice["message"]
        usage = payload.get("usage") or {}
        return ChatResult(
            text=message.get("content"),
            tool_calls=[_tool_call(call) for call in message.get("tool_calls") or []],
            finish_reason=choice.get("finish_reason"),
            usage=Usage(int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)),
            model=str(payload.get("model") or model),
        )
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        raise MalformedAnswer(f"{provider}'s answer is not a chat completion", provider=provider) from None


def _tool_call(call: dict[str, Any]) -> ToolCall:
    function = call["function"]
    raw = function.get("arguments") or "{}"
    try:
        arguments = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        arguments = None
    return ToolCall(
        id=str(call.get("id") or ""),
        name=str(function["name"]),
        arguments=arguments if isinstance(arguments, dict) else None,
        raw_arguments=raw if isinstance(raw, str) else json.dumps(raw),
    )


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _retry_delay(error: ProviderUnavailable, attempt: int, base: float) -> float | None:
    """The provider's Retry-After when it gave one, else exponential backoff with full jitter."""
    if error.retry_after is not None:
        return error.retry_after
    return random.uniform(0, base * 2 ** (attempt - 1))  # noqa: S311  (jitter, not crypto)
