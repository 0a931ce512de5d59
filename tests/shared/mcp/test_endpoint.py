"""ainav as an MCP server: `POST /v1/mcp`, stateless Streamable HTTP with JSON responses, for the callers
of an API key or a bearer token. The official SDK's client (2.x; both the 2026-07-28 revision it speaks by
default and the initialize handshake of 1.x-era clients) lists and calls the tools over loopback; raw
requests pin what older clients send and what bad input gets (JSON-RPC errors, never a 500)."""

import json
import os
import uuid

import anyio
import boto3
import httpx2
import pytest
from mcp.client.client import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from sqlalchemy import delete, select

from shared.auth import api_keys
from shared.auth.schemas import ApiKeyCreate
from shared.config import settings
from shared.db import session_scope
from shared.executions import worker
from shared.executions.models import AgentExecution
from shared.queue import messages as queue_messages
from shared.users import service as user_service
from shared.users.models import User
from tests.accounts import PASSWORD, bearer, signup
from tests.fakes.asgi_server import AsgiServer, one_request_at_a_time
from tests.fakes.http_server import Reply
from tests.graphs import NAME_SCHEMA, edge, graph, node
from tests.lambda_support import FakeLambdaContext, load_event, load_function

pytestmark = pytest.mark.usefixtures("seeded_catalog")

CATALOG_TOOL_NAMES = ("search_ai_tools", "get_ai_tool", "recommend_ai_tools")
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
GREETER = graph(
    [
        node("in", "input"),
        node("greet", "template", template="Hello {{ input.name }}!"),
        node("out", "output", values={"greeting": "{{ nodes.greet.text }}"}),
    ],
    [edge("in", "greet"), edge("greet", "out")],
)


@pytest.fixture
def member(client):  # type: ignore[no-untyped-def]
    """A signed-in account and an API key of its own."""
    account = signup(client)
    created = client.post("/v1/users/me/api-keys", headers=bearer(account), json={"name": "claude-code"})
    return {**account, "api_key": created.json()["key"]}


def workflow_of(client, account, name: str, graph_json: dict, **fields) -> dict:  # type: ignore[no-untyped-def]
    body = {"name": name, "graph_json": graph_json, "input_schema": NAME_SCHEMA, **fields}
    response = client.post("/v1/workflows", headers=bearer(account), json=body)
    assert response.status_code == 201, response.text
    return response.json()


def rpc(client, method: str, params: dict | None = None, *, headers: dict, version: str | None = None):  # type: ignore[no-untyped-def]
    """One raw JSON-RPC request to /v1/mcp, as a client of that protocol version sends it."""
    extra = {"MCP-Protocol-Version": version} if version else {}
    body = {"jsonrpc": "2.0", "id": 7, "method": method, **({"params": params} if params is not None else {})}
    return client.post("/v1/mcp", headers={**MCP_HEADERS, **headers, **extra}, json=body)


def with_official_client(url: str, headers: dict[str, str], mode: str, work):  # type: ignore[no-untyped-def]
    """Connect the SDK's Client (Streamable HTTP) to `url` with `headers` and run `work(client)`."""

    async def main():  # type: ignore[no-untyped-def]
        async with (
            httpx2.AsyncClient(headers=headers, timeout=30) as http,
            Client(streamable_http_client(url, http_client=http), mode=mode) as connected,
        ):
            return await work(connected)

    return anyio.run(main)


@pytest.mark.parametrize(("mode", "protocol"), [("auto", "2026-07-28"), ("legacy", "2025-11-25")])
def test_the_official_client_lists_and_calls_our_tools_with_an_api_key(client, db, member, mode, protocol):
    # GIVEN a member with an MCP-enabled workflow, one not enabled, and another user's enabled one
    workflow_of(client, member, "Greeter", GREETER, mcp_enabled=True, description="Greets someone.")
    workflow_of(client, member, "Private", GREETER)
    workflow_of(client, signup(client), "Theirs", GREETER, mcp_enabled=True)

    async def work(mcp: Client) -> dict:
        listed = await mcp.list_tools()
        found = await mcp.call_tool("search_ai_tools", {"query": "chatgtp", "limit": 3})
        tool = await mcp.call_tool("get_ai_tool", {"slug": "github"})
        missing = await mcp.call_tool("get_ai_tool", {"slug": "no-such-tool"})
        greeted = await mcp.call_tool("greeter", {"name": "Ada"})
        with pytest.raises(MCPError) as unknown:
            await mcp.call_tool("private", {"name": "Ada"})
        with pytest.raises(MCPError) as bad:
            await mcp.call_tool("search_ai_tools", {"limit": 3})
        return {
            "protocol": mcp.protocol_version,
            "tools": listed.tools,
            "found": found,
            "tool": tool,
            "missing": missing,
            "greeted": greeted,
            "errors": [unknown.value.error, bad.value.error],
        }

    # WHEN the SDK's client connects over loopback with the member's API key
    with AsgiServer(one_request_at_a_time(client.app), lifespan=False) as ours:
        seen = with_official_client(f"{ours.url}/v1/mcp", {"X-API-Key": member["api_key"]}, mode, work)
    # THEN it negotiated its protocol revision and was offered the catalog tools and the enabled workflow
    assert seen["protocol"] == protocol
    tools = {tool.name: tool for tool in seen["tools"]}
    assert list(tools) == ["search_ai_tools", "get_ai_tool", "recommend_ai_tools", "greeter"]
    assert all(tools[name].annotations.read_only_hint for name in list(tools)[:3])
    assert tools["greeter"].annotations.read_only_hint is False
    assert tools["greeter"].description == "Greets someone."
    assert tools["greeter"].input_schema == NAME_SCHEMA
    # AND catalog search answered real catalog entries
    assert seen["found"].structured_content["items"][0]["slug"] == "chatgpt"
    assert "ChatGPT" in seen["found"].content[0].text
    skills = {skill["slug"] for skill in seen["tool"].structured_content["skills"]}
    assert {"search-repositories", "get-user"} <= skills
    assert seen["missing"].is_error is True and "no-such-tool" in seen["missing"].content[0].text
    # AND the workflow ran as the member's execution and answered its output
    greeted = seen["greeted"]
    assert greeted.is_error is False
    assert greeted.structured_content["output"] == {"greeting": "Hello Ada!"}
    assert json.loads(greeted.content[0].text) == {"greeting": "Hello Ada!"}
    execution = db.get(AgentExecution, uuid.UUID(greeted.structured_content["execution_id"]))
    assert (execution.trigger_type, execution.status, str(execution.user_id)) == (
        "mcp",
        "completed",
        member["user"]["id"],
    )
    # AND an unknown tool and bad arguments were JSON-RPC errors (invalid params)
    assert [error.code for error in seen["errors"]] == [-32602, -32602]
    assert seen["errors"][0].message == "Unknown tool: private"
    assert "query" in seen["errors"][1].message


def test_a_bearer_token_works_too_and_no_credentials_are_401(client, member):
    listed = rpc(client, "tools/list", headers=bearer(member), version="2025-06-18")
    assert listed.status_code == 200 and len(listed.json()["result"]["tools"]) == 3
    anonymous = rpc(client, "tools/list", headers={}, version="2025-06-18")
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == "Bearer"
    wrong = rpc(client, "tools/list", headers={"X-API-Key": "sk_not_a_key"}, version="2025-06-18")
    assert wrong.status_code == 401


def test_get_and_delete_answer_405_there_is_no_stream_or_session(client, member):
    for method in ("GET", "DELETE"):
        response = client.request(
            method, "/v1/mcp", headers={**bearer(member), "Accept": "text/event-stream"}
        )
        assert response.status_code == 405 and "POST" in response.headers["allow"]


@pytest.mark.parametrize("version", ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"])
def test_an_older_client_negotiates_its_own_revision_and_lists_the_tools(client, member, version):
    # GIVEN what a 1.x-era client sends first: initialize with its protocol version, no session
    key = {"X-API-Key": member["api_key"]}
    init = rpc(
        client,
        "initialize",
        {
            "protocolVersion": version,
            "capabilities": {},
            "clientInfo": {"name": "old-client", "version": "1.0"},
        },
        headers=key,
    )
    # THEN the server answers with that version, as plain JSON, and no session to keep
    assert init.status_code == 200 and init.headers["content-type"].startswith("application/json")
    assert init.json()["result"]["protocolVersion"] == version
    assert init.json()["result"]["serverInfo"]["name"] == "ainav"
    assert "tools" in init.json()["result"]["capabilities"]
    assert "mcp-session-id" not in init.headers
    # AND its next requests, each on their own, are served
    initialized = client.post(
        "/v1/mcp",
        headers={**MCP_HEADERS, **key, "MCP-Protocol-Version": version},
        json={"jsonrpc": "2.0", "method": "notifications/initialized"},
    )
    assert initialized.status_code == 202
    listed = rpc(client, "tools/list", headers=key, version=version)
    assert listed.status_code == 200
    names = [tool["name"] for tool in listed.json()["result"]["tools"]]
    assert names == ["search_ai_tools", "get_ai_tool", "recommend_ai_tools"]
    called = rpc(
        client,
        "tools/call",
        {"name": "search_ai_tools", "arguments": {"query": "写作助手"}},
        headers=key,
        version=version,
    )
    assert called.status_code == 200 and called.json()["result"]["isError"] is False
    assert called.json()["result"]["content"][0]["type"] == "text"


def test_unknown_tools_and_bad_arguments_are_json_rpc_errors(client, member):
    key = {"X-API-Key": member["api_key"]}
    for params, says in (
        ({"name": "rm_rf", "arguments": {}}, "Unknown tool: rm_rf"),
        ({"name": "search_ai_tools", "arguments": {"query": "x", "limit": 500}}, "arguments.limit"),
        ({"name": "get_ai_tool", "arguments": {"slug": 42}}, "arguments.slug"),
        ({"name": "search_ai_tools", "arguments": {"query": "x", "shell": "yes"}}, "shell"),
    ):
        response = rpc(client, "tools/call", params, headers=key, version="2025-06-18")
        assert response.status_code == 200, response.text
        error = response.json()["error"]
        assert error["code"] == -32602 and says in error["message"]


def call(name: str, arguments: object) -> dict:
    return {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": name, "arguments": arguments},
    }


BAD_BODIES = [
    b"",
    b"not json",
    b"[]",
    b'[{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}]',  # a batch
    b'{"jsonrpc": "2.0"}',
    b'{"jsonrpc": "2.0", "id": 1, "method": "no/such/method"}',
    b'{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": "x"}',
    b'{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": 5}}',
    json.dumps(call("get_ai_tool", [])).encode(),
    b'{"jsonrpc": "2.0", "id": {"x": 1}, "method": "tools/list"}',
    b'{"jsonrpc": "1.0", "id": 1, "method": "tools/list"}',
    b'{"jsonrpc": "2.0", "id": 1, "result": {}}',  # a response posted to the server
    b'{"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"cursor": 12}}',
    b'{"jsonrpc": "2.0", "id": 1, "method": "resources/read", "params": {"uri": "file:///etc/passwd"}}',
    b'{"jsonrpc": "2.0", "id": 1e400, "method": "tools/list"}',
    b"[" * 5000 + b"]" * 5000,
    json.dumps(call("get_ai_tool", {"slug": "\u0000"})).encode(),  # NUL, which PostgreSQL stores nowhere
    '{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "\ud800"}}'.encode(
        "utf-8", "surrogatepass"
    ),
]
BAD_HEADERS = [
    {},
    {"MCP-Protocol-Version": "2025-06-18"},
    {"MCP-Protocol-Version": "2026-07-28"},  # the stateless revision, without its envelope
    {"MCP-Protocol-Version": "1999-01-01"},
    {"Accept": "text/html"},
    {"Content-Type": "text/plain"},
]


@pytest.mark.parametrize("headers", BAD_HEADERS, ids=[json.dumps(h) for h in BAD_HEADERS])
def test_bad_input_never_gets_a_server_error(client, member, headers):
    for body in BAD_BODIES:
        response = client.post(
            "/v1/mcp", headers={**MCP_HEADERS, "X-API-Key": member["api_key"], **headers}, content=body
        )
        assert response.status_code < 500, (body[:80], response.status_code, response.text)
        assert "Traceback" not in response.text


def test_a_workflow_that_takes_longer_answers_its_execution_id_and_finishes_in_the_worker(
    client, db, member, aws, loopback, monkeypatch
):
    # GIVEN an MCP-enabled workflow whose http node is slower than the tool's time in the request
    monkeypatch.setattr(settings, "MCP_TOOL_TIMEOUT_SECONDS", 1.0)
    loopback.script("/slow", Reply(200, {"value": 42}, delay=2))
    slow = graph(
        [
            node("in", "input"),
            node("fetch", "http", url=f"{loopback.url}/slow"),
            node("out", "output", values={"value": "{{ nodes.fetch.body.value }}"}),
        ],
        [edge("in", "fetch"), edge("fetch", "out")],
    )
    workflow_of(client, member, "Slow lookup", slow, mcp_enabled=True)
    # WHEN a client calls it
    called = rpc(
        client,
        "tools/call",
        {"name": "slow-lookup", "arguments": {"name": "Ada"}},
        headers=bearer(member),
        version="2025-06-18",
    )
    # THEN the answer is the run to poll, and the worker gets it
    result = called.json()["result"]
    assert result["isError"] is False and result["structuredContent"]["status"] == "pending"
    run_id = result["structuredContent"]["execution_id"]
    assert result["structuredContent"]["poll"] == f"/v1/executions/{run_id}"
    sqs = boto3.client("sqs", region_name=os.environ["AWS_REGION"])
    [queued] = sqs.receive_message(QueueUrl=aws.queue_url, MaxNumberOfMessages=10)["Messages"]
    assert queue_messages.parse(queued["Body"]) == queue_messages.ExecutionRun(execution_id=uuid.UUID(run_id))
    loopback.script("/slow", Reply(200, {"value": 42}))
    assert worker.run_execution(session=db, execution_id=uuid.UUID(run_id)) == "completed"
    polled = client.get(f"/v1/executions/{run_id}", headers=bearer(member)).json()
    assert polled["output_data"] == {"value": "42"}


def test_a_workflow_run_that_fails_is_a_tool_error(client, member, mailbox, monkeypatch):
    monkeypatch.setattr(settings, "OUTBOUND_ALLOWED_HOSTS", [])
    failing = graph(
        [node("in", "input"), node("fetch", "http", url="http://10.0.0.1/")], [edge("in", "fetch")]
    )
    workflow_of(client, member, "Fetcher", failing, mcp_enabled=True)
    called = rpc(
        client,
        "tools/call",
        {"name": "fetcher", "arguments": {"name": "Ada"}},
        headers=bearer(member),
        version="2025-11-25",
    )
    result = called.json()["result"]
    assert result["isError"] is True and result["structuredContent"]["status"] == "failed"
    assert "not a public address" in result["content"][0]["text"]


def test_recommendations_are_the_callers(client, member):
    called = rpc(
        client,
        "tools/call",
        {"name": "recommend_ai_tools", "arguments": {"limit": 3}},
        headers=bearer(member),
        version="2025-06-18",
    )
    items = called.json()["result"]["structuredContent"]["items"]
    assert len(items) == 3 and all(item["reason"] for item in items)


def test_mcp_requests_are_in_the_operation_log_without_their_bodies(client, db, member):
    from shared.audit.models import OperationLog

    rpc(
        client,
        "tools/call",
        {"name": "get_ai_tool", "arguments": {"slug": "github"}},
        headers=bearer(member),
        version="2025-06-18",
    )
    mine = (OperationLog.path == "/v1/mcp") & (OperationLog.user_id == member["user"]["id"])
    logged = db.scalars(select(OperationLog).where(mine)).all()
    assert [(entry.method, entry.status, entry.username) for entry in logged] == [
        ("POST", 200, member["user"]["username"])
    ]


def test_the_lambda_handler_serves_mcp_over_api_gateway(engine, aws):
    """McpFunction as deployed: an API Gateway v2 event through Mangum, per-request stateless serving."""
    # GIVEN an account with an API key (committed: the handler takes its own sessions)
    with session_scope() as session:
        user = user_service.create_user(
            session=session,
            email=f"mcp-{uuid.uuid4().hex[:8]}@example.com",
            username=f"mcp_{uuid.uuid4().hex[:8]}",
            password=PASSWORD,
        )
        _, key = api_keys.create(session=session, user=user, request=ApiKeyCreate(name="lambda"))
        user_id = user.id
    handler = load_function("functions/mcp").handler
    event = load_event("http_api_post_mcp_tools_list.json")
    event["headers"]["x-api-key"] = key
    try:
        # WHEN tools/list arrives twice (a warm container: nothing kept between invocations)
        answers = [handler(event, FakeLambdaContext()) for _ in range(2)]
    finally:
        with session_scope() as session:
            session.execute(delete(User).where(User.id == user_id))
    # THEN each is answered in full, as JSON, with no session id
    for answer in answers:
        assert answer["statusCode"] == 200, answer["body"]
        assert answer["headers"]["content-type"].startswith("application/json")
        assert "mcp-session-id" not in answer["headers"]
        names = [tool["name"] for tool in json.loads(answer["body"])["result"]["tools"]]
        assert names == ["search_ai_tools", "get_ai_tool", "recommend_ai_tools"]


def test_a_workflow_with_a_long_slug_gets_a_short_tool_name_that_calls_it(client, member):
    long_name = "Greets everyone who asks politely in a very long workflow name " * 3
    workflow = workflow_of(client, member, long_name, GREETER, mcp_enabled=True)
    assert len(workflow["slug"]) > 64
    listed = rpc(client, "tools/list", headers=bearer(member), version="2025-06-18").json()["result"]["tools"]
    [name] = [tool["name"] for tool in listed if tool["name"] not in CATALOG_TOOL_NAMES]
    assert len(name) <= 64 and name.startswith(workflow["slug"][:40])
    called = rpc(
        client,
        "tools/call",
        {"name": name, "arguments": {"name": "Ada"}},
        headers=bearer(member),
        version="2025-06-18",
    )
    assert called.json()["result"]["structuredContent"]["output"] == {"greeting": "Hello Ada!"}
