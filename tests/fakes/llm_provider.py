"""An OpenAI-compatible chat-completions server on 127.0.0.1, speaking the real wire format: `choices`
with `message.content` or `message.tool_calls`, `finish_reason`, `usage`, error bodies, 429 with
Retry-After. Replies come from a script (successive requests get successive replies; the last one
repeats); without a script it answers "echo: <last user message>" with usage counted in words."""

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from tests.fakes.loopback import LoopbackServer, QuietHandler

COMPLETIONS_PATH = "/v1/chat/completions"
TEST_MODEL = "test-chat"


@dataclass
class Completion:
    """One reply: an answer (text, or tool calls) with its usage, or an HTTP error."""

    text: str | None = None
    tool_calls: list[dict[str, Any]] | None = None  # [{"name": ..., "arguments": {...}}]
    prompt_tokens: int = 10
    completion_tokens: int = 5
    finish_reason: str | None = None
    status: int = 200
    error: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    raw: bytes | None = None  # sent as is (garbage, a truncated body)


def rate_limited(retry_after: str = "0") -> Completion:
    return Completion(status=429, error="Rate limit reached", headers={"Retry-After": retry_after})


@dataclass
class Request:
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def api_key(self) -> str:
        return self.headers.get("Authorization", "").removeprefix("Bearer ")

    def last_user_message(self) -> str:
        return next(m["content"] for m in reversed(self.body["messages"]) if m["role"] == "user")


class FakeLLMProvider(LoopbackServer):
    """`with FakeLLMProvider() as llm: llm.base_url` (…/v1); `llm.script(Completion(...), ...)`."""

    def __init__(self) -> None:
        self.replies: list[Completion] = []
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        provider = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                request = Request(dict(self.headers), json.loads(self.body() or b"{}"))
                with provider.lock:
                    provider.requests.append(request)
                    reply = provider.next_reply()
                if self.path != COMPLETIONS_PATH:
                    reply = Completion(status=404, error=f"no route {self.path}")
                reply = reply or provider.echo(request)
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.raw if reply.raw is not None else provider.wire(reply, request)
                self.answer(reply.status, body, reply.headers)

        super().__init__(Handler)
        self.base_url = f"{self.url}/v1"

    def script(self, *replies: Completion) -> None:
        with self.lock:
            self.replies = list(replies)

    def next_reply(self) -> Completion | None:
        if not self.replies:
            return None
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    @staticmethod
    def echo(request: Request) -> Completion:
        """The unscripted answer: the last user message back, usage counted in words."""
        words = request.last_user_message()
        return Completion(
            text=f"echo: {words}",
            prompt_tokens=sum(len(str(m.get("content") or "").split()) for m in request.body["messages"]),
            completion_tokens=len(words.split()) + 1,
        )

    @staticmethod
    def wire(reply: Completion, request: Request) -> dict[str, Any]:
        """The chat-completion (or error) body of a reply, as OpenAI's API writes it."""
        if reply.status >= 400:
            return {
                "error": {"message": reply.error or "error", "type": "invalid_request_error", "code": None}
            }
        message: dict[str, Any] = {"role": "assistant", "content": reply.text}
        if reply.tool_calls:
            message["tool_calls"] = [
                {
                    "id": f"call_{n}",
                    "type": "function",
                    "function": {"name": call["name"], "arguments": json.dumps(call.get("arguments", {}))},
                }
                for n, call in enumerate(reply.tool_calls)
            ]
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.body.get("model"),
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop"),
                }
            ],
            "usage": {
                "prompt_tokens": reply.prompt_tokens,
                "completion_tokens": reply.completion_tokens,
                "total_tokens": reply.prompt_tokens + reply.completion_tokens,
            },
        }

    def __enter__(self) -> "FakeLLMProvider":
        super().__enter__()
        return self


@contextmanager
def platform_provider(patch: pytest.MonkeyPatch) -> Iterator[FakeLLMProvider]:
    """A fake provider as the platform's model endpoint, offering `test-chat` at 1 credit per 1,000
    prompt tokens and 2 per 1,000 completion tokens; the settings are restored by `patch`."""
    from shared.config import LLMModel, settings

    with FakeLLMProvider() as provider:
        patch.setattr(settings, "LLM_BASE_URL", provider.base_url)
        patch.setattr(settings, "LLM_API_KEY", "sk-platform-test")
        patch.setattr(settings, "LLM_DEFAULT_MODEL", TEST_MODEL)
        patch.setattr(settings, "LLM_RETRY_BASE_SECONDS", 0.01)
        prices = {"prompt_price": Decimal(1), "completion_price": Decimal(2)}
        model = LLMModel(name=TEST_MODEL, context_window=8000, **prices)
        patch.setattr(settings, "LLM_MODELS", [model])
        yield provider
