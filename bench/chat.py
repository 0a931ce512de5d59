"""The server's own time per chat turn: `POST /v1/agents/{id}/chat` through the ChatFunction's Lambda
handler (API Gateway v2 events) against a loopback model, in conversations of 10 turns, beside the bare
model call of the same conversation size (the reference). Overhead = turn − bare call, at p50 and p99.

    .venv/bin/python -m bench.chat [--turns 200]
"""

import argparse
import json
import statistics
import time
import uuid
from decimal import Decimal

from bench import setup

MODEL = "bench-chat"
TURNS_PER_CONVERSATION = 10


def chat_event(template: dict, agent_id: str, token: str, body: dict) -> dict:
    path = f"/v1/agents/{agent_id}/chat"
    event = json.loads(json.dumps(template))
    event.update(
        rawPath=path,
        rawQueryString="",
        routeKey="ANY /v1/agents/{proxy+}",
        body=json.dumps(body),
        isBase64Encoded=False,
        headers={**event["headers"], "authorization": f"Bearer {token}", "content-type": "application/json"},
    )
    event.pop("queryStringParameters", None)
    event["requestContext"]["http"] = {**event["requestContext"]["http"], "path": path, "method": "POST"}
    return event


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=200)
    args = parser.parse_args()
    setup.prepare()
    from sqlalchemy import delete

    from infra.local.lambdas import LocalLambdaContext, load_function
    from shared.agents import service as agent_service
    from shared.agents.schemas import AgentCreate
    from shared.auth import sessions
    from shared.config import LLMModel, settings
    from shared.db import session_scope
    from shared.llm import client
    from shared.llm.client import ChatRequest, Endpoint
    from shared.users.models import User
    from tests.fakes.llm_provider import Completion, FakeLLMProvider

    template = json.loads(
        (setup.REPO_ROOT / "tests" / "events" / "http_api_get_conversations.json").read_text()
    )
    with FakeLLMProvider() as provider:
        provider.script(
            Completion(text="Sure, here is a short answer.", prompt_tokens=120, completion_tokens=12)
        )
        settings.LLM_BASE_URL, settings.LLM_API_KEY, settings.LLM_DEFAULT_MODEL = (
            provider.base_url,
            "sk",
            MODEL,
        )
        settings.LLM_MODELS = [
            LLMModel(name=MODEL, prompt_price=Decimal("0.002"), completion_price=Decimal("0.008"))
        ]
        settings.MAX_CHAT_MESSAGES_PER_MINUTE = 1_000_000
        with session_scope() as session:
            user = User(
                email=f"chat-{uuid.uuid4().hex[:8]}@example.com", username=f"chat_{uuid.uuid4().hex[:8]}"
            )
            user.credits = Decimal(1_000_000)
            session.add(user)
            session.flush()
            agent = agent_service.create_agent(
                session=session,
                user=user,
                request=AgentCreate(name="Bench", qa_who="A terse helper.", qa_rules="Answer in one line."),
            )
            token = sessions.issue_tokens(
                session=session, user=user, client=sessions.ClientInfo(ip="127.0.0.1", user_agent="bench")
            ).access_token
            user_id, agent_id, prompt = user.id, str(agent.id), agent.system_prompt
        handler = load_function("functions/chat").handler
        context = LocalLambdaContext("bench-chat")
        endpoint = Endpoint(provider="bench", base_url=provider.base_url, api_key="sk")
        turn_ms, bare_ms = [], []
        try:
            conversation_id = None
            history: list[dict] = [{"role": "system", "content": prompt}]
            for turn in range(args.turns + 10):  # the first 10 warm the paths
                message = f"Question number {turn}: what is {turn} squared?"
                body = {
                    "message": message,
                    **({"conversation_id": conversation_id} if conversation_id else {}),
                }
                started = time.perf_counter()
                response = handler(chat_event(template, agent_id, token, body), context)
                elapsed = (time.perf_counter() - started) * 1000
                assert response["statusCode"] == 200, response
                answer = json.loads(response["body"])
                history += [
                    {"role": "user", "content": message},
                    {"role": "assistant", "content": answer["message"]["content"]},
                ]
                started = time.perf_counter()
                client.chat(
                    endpoint,
                    ChatRequest(model=MODEL, messages=history[:-1], max_tokens=1024),
                    timeout=10,
                    max_retries=0,
                    retry_base_seconds=0.1,
                )
                bare = (time.perf_counter() - started) * 1000
                if turn >= 10:
                    turn_ms.append(elapsed)
                    bare_ms.append(bare)
                conversation_id = answer["conversation_id"]
                if (turn + 1) % TURNS_PER_CONVERSATION == 0:
                    conversation_id, history = None, [{"role": "system", "content": prompt}]
        finally:
            with session_scope() as cleanup:
                cleanup.execute(delete(User).where(User.id == user_id))
    overhead = [turn - bare for turn, bare in zip(turn_ms, bare_ms, strict=True)]
    print("| path | turns | p50 ms | p99 ms |")
    print("|---|---|---|---|")
    for name, samples in (
        ("chat turn (ChatFunction handler)", turn_ms),
        ("bare model call (reference)", bare_ms),
        ("server overhead per turn", overhead),
    ):
        median, p99 = statistics.median(samples), percentile(samples, 0.99)
        print(f"| {name} | {len(samples)} | {median:.2f} | {p99:.2f} |")
    print("\ntarget: overhead p50 <= 30 ms")


if __name__ == "__main__":
    main()
