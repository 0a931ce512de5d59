"""The LLM gateway's own overhead per call: the same chat completion against a loopback provider, once
through the bare client (the reference: HTTP and JSON only) and once through the gateway (resolve the
model, hold credits and commit, call, settle, meter and commit). Prints a table; overhead = the
difference of the medians.

    .venv/bin/python -m bench.llm_gateway [--calls 300]
"""

import argparse
import statistics
import time
import uuid
from collections.abc import Callable
from decimal import Decimal

from bench import setup

MODEL = "bench-chat"


def timed(call: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def row(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    median, mean = statistics.median(samples), statistics.mean(samples)
    return f"| {name} | {len(samples)} | {median:.2f} | {p99:.2f} | {mean:.2f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    setup.prepare()
    from sqlalchemy import delete

    from shared.config import LLMModel, settings
    from shared.db import get_sessionmaker, session_scope
    from shared.llm import client, gateway
    from shared.llm.client import ChatRequest, Endpoint
    from shared.users.models import User
    from tests.fakes.llm_provider import Completion, FakeLLMProvider

    with FakeLLMProvider() as provider:
        provider.script(Completion(text="Hello!", prompt_tokens=30, completion_tokens=8))
        settings.LLM_BASE_URL, settings.LLM_API_KEY, settings.LLM_DEFAULT_MODEL = (
            provider.base_url,
            "sk-bench",
            MODEL,
        )
        settings.LLM_MODELS = [
            LLMModel(name=MODEL, prompt_price=Decimal("0.002"), completion_price=Decimal("0.008"))
        ]
        with session_scope() as session:
            user = User(
                email=f"bench-{uuid.uuid4().hex[:8]}@example.com", username=f"bench_{uuid.uuid4().hex[:8]}"
            )
            user.credits = Decimal(1_000_000)
            session.add(user)
            session.flush()
            user_id = user.id
        messages = [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "Say hello."},
        ]
        endpoint = Endpoint(provider="bench", base_url=provider.base_url, api_key="sk-bench")
        request = ChatRequest(model=MODEL, messages=messages, max_tokens=64)

        def bare() -> object:
            return client.chat(endpoint, request, timeout=10, max_retries=0, retry_base_seconds=0.1)

        session = get_sessionmaker()()
        caller = gateway.Caller(user_id=user_id, session_type="api", session_id="bench")

        def through_gateway() -> object:
            return gateway.complete(session, caller=caller, messages=messages, max_tokens=64)

        try:
            timed(bare, 20), timed(through_gateway, 20)  # warm both paths (connections, caches)
            bare_ms, gateway_ms = [], []
            for _ in range(args.calls // 50):  # interleaved, so both see the same machine
                bare_ms += timed(bare, 50)
                gateway_ms += timed(through_gateway, 50)
        finally:
            session.close()
            with session_scope() as cleanup:
                cleanup.execute(delete(User).where(User.id == user_id))
    print("| path | calls | p50 ms | p99 ms | mean ms |")
    print("|---|---|---|---|---|")
    print(row("bare client (reference)", bare_ms))
    print(row("gateway (hold, call, settle, meter)", gateway_ms))
    overhead = statistics.median(gateway_ms) - statistics.median(bare_ms)
    print(f"\ngateway overhead per call: {overhead:.2f} ms at p50 (target 5 ms)")


if __name__ == "__main__":
    main()
