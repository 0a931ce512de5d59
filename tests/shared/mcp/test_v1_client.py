"""The official 1.x client (`mcp<2`, what most desktop and IDE clients embed) against /v1/mcp on
loopback, in a Python of its own: the suite's environment has the 2.x SDK. `make test` builds one in
.local/mcp-v1 and names it in AINAV_MCP_V1_PYTHON; a bare `pytest` without that variable skips this
test."""

import json
import os
import subprocess

import pytest

from tests.accounts import bearer, signup
from tests.fakes.asgi_server import AsgiServer, one_request_at_a_time
from tests.graphs import NAME_SCHEMA, edge, graph, node

V1_PYTHON = os.environ.get("AINAV_MCP_V1_PYTHON")
CLIENT = """
import json, sys, anyio
import mcp.types
from mcp import ClientSession
from mcp.client.streamable_http import streamablehttp_client

async def main(url, key):
    async with streamablehttp_client(url, headers={"X-API-Key": key}) as (read, write, _):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            tools = await session.list_tools()
            found = await session.call_tool("search_ai_tools", {"query": "chatgtp", "limit": 2})
            greeted = await session.call_tool("greeter", {"name": "Ada"})
            try:
                await session.call_tool("no_such_tool", {})
                unknown = None
            except Exception as exc:
                unknown = str(exc)
    print(json.dumps({
        "sdk_latest": mcp.types.LATEST_PROTOCOL_VERSION,
        "negotiated": init.protocolVersion,
        "tools": [tool.name for tool in tools.tools],
        "read_only": [bool(tool.annotations and tool.annotations.readOnlyHint) for tool in tools.tools],
        "found": found.structuredContent["items"][0]["slug"],
        "greeted": greeted.structuredContent["output"],
        "unknown": unknown,
    }))

anyio.run(main, sys.argv[1], sys.argv[2])
"""


@pytest.mark.skipif(not V1_PYTHON, reason="AINAV_MCP_V1_PYTHON names no Python with the 1.x MCP SDK")
def test_the_official_1x_client_lists_and_calls_our_tools(client, seeded_catalog):
    # GIVEN a member with an API key and an MCP-enabled workflow
    member = signup(client)
    key = client.post("/v1/users/me/api-keys", headers=bearer(member), json={"name": "v1"}).json()["key"]
    greeter = graph(
        [
            node("in", "input"),
            node("greet", "template", template="Hello {{ input.name }}!"),
            node("out", "output", values={"greeting": "{{ nodes.greet.text }}"}),
        ],
        [edge("in", "greet"), edge("greet", "out")],
    )
    body = {"name": "Greeter", "graph_json": greeter, "input_schema": NAME_SCHEMA, "mcp_enabled": True}
    assert client.post("/v1/workflows", headers=bearer(member), json=body).status_code == 201
    # WHEN the 1.x client connects to our endpoint over loopback
    with AsgiServer(one_request_at_a_time(client.app), lifespan=False) as ours:
        done = subprocess.run(
            [V1_PYTHON, "-c", CLIENT, f"{ours.url}/v1/mcp", key],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    # THEN it negotiated its own latest revision, listed and called the tools
    assert seen["negotiated"] == seen["sdk_latest"]
    assert seen["tools"] == ["search_ai_tools", "get_ai_tool", "recommend_ai_tools", "greeter"]
    assert seen["read_only"] == [True, True, True, False]
    assert seen["found"] == "chatgpt"
    assert seen["greeted"] == {"greeting": "Hello Ada!"}
    assert "Unknown tool: no_such_tool" in seen["unknown"]
