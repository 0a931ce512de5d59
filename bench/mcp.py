"""In-process latency of ainav's MCP endpoint: JSON-RPC requests (`tools/list`, `tools/call`) with an API
key, as API Gateway v2 events through the McpFunction handler (Powertools, Mangum, FastAPI, the SDK's
stateless session manager made per request) to the response; p50 and p99. A REST request of the same
function with the same key (`GET /v1/mcp-servers`) is the reference. Prints a table.

    .venv/bin/python -m bench.mcp [--requests 300]
"""

import argparse
import json
import statistics
import sys
import time
import uuid
from decimal import Decimal

from bench import setup

# What 1.x-era clients send once initialized (the 2025-06-18 revision, no session): the common case.
PROTOCOL_VERSION = "2025-06-18"
# What the 2.x SDK's client sends: the 2026-07-28 revision, each request with its envelope.
MODERN_VERSION = "2026-07-28"
ENVELOPE = {
    "io.modelcontextprotocol/protocolVersion": MODERN_VERSION,
    "io.modelcontextprotocol/clientInfo": {"name": "bench", "version": "1"},
    "io.modelcontextprotocol/clientCapabilities": {},
}
TARGET_LIST_P50_MS = 20.0


def rpc_event(
    template: dict, api_key: str, method: str, params: dict | None = None, *, modern: bool = False
) -> dict:
    event = json.loads(json.dumps(template))
    if modern:
        params = {**(params or {}), "_meta": ENVELOPE}
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, **({"params": params} if params else {})})
    event["headers"] = {
        **event["headers"],
        "x-api-key": api_key,
        "mcp-protocol-version": MODERN_VERSION if modern else PROTOCOL_VERSION,
        "content-length": str(len(body)),
        **({"mcp-method": method} if modern else {}),
    }
    event["body"] = body
    return event


def rest_event(template: dict, api_key: str, path: str) -> dict:
    event = json.loads(json.dumps(template))
    event.update(rawPath=path, routeKey="ANY /v1/mcp-servers", body=None)
    event["headers"] = {
        key: value for key, value in event["headers"].items() if not key.startswith("content")
    }
    event["headers"]["x-api-key"] = api_key
    event["requestContext"]["http"] = {**event["requestContext"]["http"], "method": "GET", "path": path}
    return event


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    setup.prepare(seed_catalog=True)
    from sqlalchemy import delete

    from infra.local.lambdas import LocalLambdaContext, load_function
    from shared.auth import api_keys
    from shared.auth.schemas import ApiKeyCreate
    from shared.config import settings
    from shared.db import session_scope
    from shared.users.models import User
    from shared.workflows import service as workflow_service
    from shared.workflows.schemas import WorkflowCreate

    settings.MAX_RUNS_PER_DAY = 1_000_000
    template = json.loads(
        (setup.REPO_ROOT / "tests" / "events" / "http_api_post_mcp_tools_list.json").read_text()
    )
    greeter = {
        "nodes": [
            {"id": "in", "type": "input", "data": {}, "position": {"x": 0, "y": 0}},
            {
                "id": "greet",
                "type": "template",
                "data": {"template": "Hello {{ input.name }}!"},
                "position": {"x": 0, "y": 1},
            },
            {
                "id": "out",
                "type": "output",
                "data": {"values": {"greeting": "{{ nodes.greet.text }}"}},
                "position": {"x": 0, "y": 2},
            },
        ],
        "edges": [
            {"id": "a", "source": "in", "target": "greet"},
            {"id": "b", "source": "greet", "target": "out"},
        ],
    }
    with session_scope() as session:
        suffix = uuid.uuid4().hex[:8]
        user = User(email=f"mcp-{suffix}@example.com", username=f"mcp_{suffix}")
        user.credits = Decimal(1_000_000)
        session.add(user)
        session.flush()
        _, key = api_keys.create(session=session, user=user, request=ApiKeyCreate(name="bench"))
        workflow, _ = workflow_service.create_workflow(
            session=session,
            user=user,
            request=WorkflowCreate(
                name=f"Greeter {suffix}",
                graph_json=greeter,
                input_schema={
                    "type": "object",
                    "properties": {"name": {"type": "string"}},
                    "required": ["name"],
                },
                mcp_enabled=True,
            ),
        )
        user_id, workflow_tool = user.id, workflow.slug
    handler = load_function("functions/mcp").handler
    context = LocalLambdaContext("bench-mcp")
    cases = {
        "reference: GET /v1/mcp-servers (REST, same key)": rest_event(template, key, "/v1/mcp-servers"),
        "tools/list (3 catalog tools + 1 workflow)": rpc_event(template, key, "tools/list"),
        "tools/list, 2026-07-28 (the 2.x client)": rpc_event(template, key, "tools/list", modern=True),
        "tools/call get_ai_tool (a tool with its skills)": rpc_event(
            template, key, "tools/call", {"name": "get_ai_tool", "arguments": {"slug": "github"}}
        ),
        "tools/call search_ai_tools (hybrid search)": rpc_event(
            template, key, "tools/call", {"name": "search_ai_tools", "arguments": {"query": "code assistant"}}
        ),
        "tools/call of a workflow (3 nodes, run in-process)": rpc_event(
            template, key, "tools/call", {"name": workflow_tool, "arguments": {"name": "Ada"}}
        ),
    }
    results = []
    try:
        for name, event in cases.items():
            for _ in range(10):  # warm the path
                assert handler(event, context)["statusCode"] == 200
            samples = []
            for _ in range(args.requests):
                started = time.perf_counter()
                response = handler(event, context)
                samples.append((time.perf_counter() - started) * 1000)
                answer = json.loads(response["body"])
                assert response["statusCode"] == 200, response["body"][:500]
                assert not answer.get("result", {}).get("isError"), response["body"][:500]
            samples.sort()
            results.append((name, statistics.median(samples), samples[int(len(samples) * 0.99) - 1]))
            print(f"  {name}: done", file=sys.stderr, flush=True)
    finally:
        with session_scope() as cleanup:
            cleanup.execute(delete(User).where(User.id == user_id))
    print("| request | n | p50 ms | p99 ms |")
    print("|---|---|---|---|")
    for name, p50, p99 in results:
        print(f"| {name} | {args.requests} | {p50:.1f} | {p99:.1f} |")
    print(f"\ntarget: tools/list p50 <= {TARGET_LIST_P50_MS:g} ms")


if __name__ == "__main__":
    main()
