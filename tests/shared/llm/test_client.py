"""The OpenAI-compatible client against a real HTTP server on loopback speaking the wire format."""

import pytest

from shared.config import settings
from shared.llm import client
from shared.llm.client import ChatRequest, Endpoint
from tests.fakes.llm_provider import Completion, FakeLLMProvider, rate_limited

KEY = "sk-test-not-a-real-key"


@pytest.fixture
def llm():  # type: ignore[no-untyped-def]
    with FakeLLMProvider() as provider:
        yield provider


def ask(llm: FakeLLMProvider, sleeps: list[float] | None = None, **request: object) -> client.ChatResult:
    endpoint = Endpoint(provider="deepseek", base_url=llm.base_url, api_key=KEY)
    fields = {"model": "deepseek-chat", "messages": [{"role": "user", "content": "hello"}], "max_tokens": 64}
    return client.chat(
        endpoint,
        ChatRequest(**{**fields, **request}),  # type: ignore[arg-type]
        timeout=5,
        max_retries=3,
        retry_base_seconds=0.5,
        sleep=(sleeps.append if sleeps is not None else lambda _: None),
    )


def test_an_answer_comes_back_with_its_usage_and_finish_reason(llm):
    llm.script(Completion(text="你好!", prompt_tokens=12, completion_tokens=3))
    result = ask(llm, temperature=0.2)
    assert (result.text, result.finish_reason) == ("你好!", "stop")
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (12, 3)
    [sent] = llm.requests
    assert sent.api_key == KEY
    assert sent.body == {
        "model": "deepseek-chat",
        "messages": [{"role": "user", "content": "hello"}],
        "max_tokens": 64,
        "temperature": 0.2,
    }


def test_tools_go_out_and_tool_calls_come_back_parsed(llm):
    tool = {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}
    llm.script(Completion(tool_calls=[{"name": "lookup", "arguments": {"q": "天气"}}]))
    result = ask(llm, tools=[tool], tool_choice="auto", json_response=True)
    assert result.finish_reason == "tool_calls" and result.text is None
    [call] = result.tool_calls
    assert (call.name, call.arguments) == ("lookup", {"q": "天气"})
    assert llm.requests[0].body["tools"] == [tool]
    assert llm.requests[0].body["response_format"] == {"type": "json_object"}


def test_429_waits_as_long_as_retry_after_says_then_succeeds(llm):
    llm.script(rate_limited("2"), rate_limited("1"), Completion(text="ok"))
    sleeps: list[float] = []
    assert ask(llm, sleeps).text == "ok"
    assert sleeps == [2.0, 1.0]


def test_5xx_and_lost_connections_are_retried_with_growing_jittered_backoff(llm):
    llm.script(Completion(status=502, error="bad gateway"), Completion(status=503), Completion(text="ok"))
    sleeps: list[float] = []
    assert ask(llm, sleeps).text == "ok"
    assert len(sleeps) == 2 and 0 <= sleeps[0] <= 0.5 and 0 <= sleeps[1] <= 1.0


def test_retries_end_with_an_error_naming_the_provider_and_the_status(llm):
    llm.script(Completion(status=500, error="boom"))
    with pytest.raises(client.ProviderUnavailable, match="deepseek answered HTTP 500") as failed:
        ask(llm)
    assert failed.value.status == 500 and len(llm.requests) == 4  # the first call and three retries


def test_a_bad_key_fails_at_once_naming_the_provider_and_the_status_never_the_key(llm):
    llm.script(Completion(status=401, error="Authentication Fails (no such user)"))
    with pytest.raises(client.ProviderRefused) as refused:
        ask(llm)
    message = str(refused.value)
    assert "deepseek" in message and "HTTP 401" in message and "Authentication Fails" in message
    assert KEY not in message and len(llm.requests) == 1


def test_a_retry_after_longer_than_the_time_left_is_not_waited_for(llm):
    llm.script(rate_limited("60"))
    sleeps: list[float] = []
    with pytest.raises(client.ProviderUnavailable, match="HTTP 429"):
        ask(llm, sleeps)
    assert sleeps == [] and len(llm.requests) == 1


def test_a_provider_slower_than_the_timeout_is_unavailable(llm):
    llm.script(Completion(text="late", delay=1.0))
    endpoint = Endpoint(provider="ollama", base_url=llm.base_url, api_key=None)
    request = ChatRequest(model="qwen2.5", messages=[{"role": "user", "content": "hi"}], max_tokens=8)
    with pytest.raises(client.ProviderUnavailable, match="ollama did not answer within"):
        client.chat(endpoint, request, timeout=0.3, max_retries=0, retry_base_seconds=0.1)


@pytest.mark.parametrize("garbage", [b"<html>oops</html>", b'{"choices": []}', b'{"choices": [{"nope": 1}]}'])
def test_an_answer_that_is_not_a_chat_completion_is_malformed(llm, garbage):
    llm.script(Completion(raw=garbage))
    with pytest.raises(client.MalformedAnswer, match="not a chat completion"):
        ask(llm)


def test_a_guarded_endpoint_on_loopback_is_refused_unless_allowed(llm, monkeypatch):
    guarded = Endpoint(provider="custom", base_url=llm.base_url, api_key=KEY, guarded=True)
    request = ChatRequest(model="m", messages=[{"role": "user", "content": "hi"}], max_tokens=8)
    with pytest.raises(client.ProviderRefused, match="not a public address"):
        client.chat(guarded, request, timeout=5, max_retries=0, retry_base_seconds=0.1)
    assert llm.requests == []
    monkeypatch.setattr(settings, "OUTBOUND_ALLOWED_HOSTS", ["127.0.0.1"])
    assert client.chat(guarded, request, timeout=5, max_retries=0, retry_base_seconds=0.1).text == "echo: hi"
