"""An agent's MCP tools `{"type": "mcp", "server_id", "tool"?}`: checked at save, offered to the model as
`mcp_<server>_<tool>` with the tool's input schema, and run in the agent loop against a real MCP server
on loopback, with the server's credential sent and never shown."""

import json
import uuid

from sqlalchemy import update

from shared.mcp import checks
from shared.mcp.models import McpServer
from tests.accounts import bearer, signup
from tests.conftest import TEST_MODEL
from tests.fakes.llm_provider import Completion
from tests.shared.mcp.conftest import register

ANSWERS = {
    "name": "Forecaster",
    "qa_who": "A weather helper.",
    "qa_rules": "Use your tools.",
    "model": TEST_MODEL,
}
CREDENTIAL = "Bearer agent-mcp-credential-7"


def checked_server(client, db, account, remote, **fields) -> dict:  # type: ignore[no-untyped-def]
    server = register(client, account, url=remote.url, headers={"Authorization": CREDENTIAL}, **fields)
    checks.check_server(db, uuid.UUID(server["id"]))
    return server


def agent_with(client, account, tools):  # type: ignore[no-untyped-def]
    return client.post("/v1/agents", headers=bearer(account), json={**ANSWERS, "tools": tools})


def say(client, account, agent_id, message):  # type: ignore[no-untyped-def]
    return client.post(f"/v1/agents/{agent_id}/chat", headers=bearer(account), json={"message": message})


def test_an_agent_calls_a_tool_of_an_mcp_server(client, db, llm, remote):
    # GIVEN an agent with one tool of the owner's checked MCP server
    owner = signup(client)
    server = checked_server(client, db, owner, remote)
    agent = agent_with(client, owner, [{"type": "mcp", "server_id": server["id"], "tool": "weather"}]).json()
    assert agent["tools"] == [{"type": "mcp", "server_id": server["id"], "tool": "weather"}]
    llm.script(
        Completion(tool_calls=[{"name": "mcp_weather_weather", "arguments": {"city": "Paris"}}]),
        Completion(text="It is sunny in Paris."),
    )
    # WHEN the owner asks
    answer = say(client, owner, agent["id"], "Weather in Paris?")
    # THEN the model was offered the tool with its schema, the tool ran on the server, the model read it
    assert answer.status_code == 200, answer.text
    assert answer.json()["message"]["content"] == "It is sunny in Paris."
    [offered] = llm.requests[0].body["tools"]
    assert offered["function"]["name"] == "mcp_weather_weather"
    assert offered["function"]["parameters"]["required"] == ["city"]
    result = json.loads(next(m for m in llm.requests[1].body["messages"] if m["role"] == "tool")["content"])
    assert result["structured"] == {"city": "Paris", "sky": "sunny"} and result["is_error"] is False
    [call] = answer.json()["message"]["message_metadata"]["tool_calls"]
    assert (call["name"], call["arguments"]) == ("mcp_weather_weather", {"city": "Paris"})
    assert any(headers.get("authorization") == CREDENTIAL for headers in remote.seen_headers)
    assert "agent-mcp-credential" not in answer.text + json.dumps([r.body for r in llm.requests])


def test_without_a_tool_name_every_tool_of_the_server_is_offered(client, db, llm, remote):
    owner = signup(client)
    server = checked_server(client, db, owner, remote)
    agent = agent_with(client, owner, [{"type": "mcp", "server_id": server["id"]}]).json()
    llm.script(
        Completion(tool_calls=[{"name": "mcp_weather_echo_auth", "arguments": {}}]),
        Completion(text="Done."),
    )
    assert say(client, owner, agent["id"], "Go").status_code == 200
    names = sorted(tool["function"]["name"] for tool in llm.requests[0].body["tools"])
    assert names == [f"mcp_weather_{t}" for t in ("add", "broken", "echo_auth", "long_text", "weather")]
    # a credential the server echoes back reaches the model masked
    result = json.loads(next(m for m in llm.requests[1].body["messages"] if m["role"] == "tool")["content"])
    assert result["text"] == "you sent ***"


def test_mcp_tools_are_checked_at_save(client, db, aws, llm, remote):
    owner, other = signup(client), signup(client)
    mine = checked_server(client, db, owner, remote)
    theirs = checked_server(client, db, other, remote)
    local = register(client, owner, name="local", transport="stdio", command="npx")
    for tools, detail in (
        ([{"type": "mcp", "server_id": theirs["id"]}], "tools[0].server_id: no such MCP server of yours"),
        (
            [{"type": "mcp", "server_id": local["id"]}],
            "tools[0].server_id: 'local' is a stdio server, which cannot run here",
        ),
        (
            [{"type": "mcp", "server_id": mine["id"], "tool": "forecast"}],
            "tools[0].tool: the server 'weather' offers no tool 'forecast'",
        ),
    ):
        refused = agent_with(client, owner, tools)
        assert (refused.status_code, refused.json()["detail"]) == (422, detail)
    malformed = agent_with(client, owner, [{"type": "mcp", "server_id": mine["id"], "command": "rm -rf"}])
    assert malformed.status_code == 422


def test_a_server_that_cannot_serve_is_left_out_and_a_published_agent_keeps_it_to_its_owner(
    client, db, llm, remote
):
    owner, visitor = signup(client), signup(client)
    server = checked_server(client, db, owner, remote)
    agent = agent_with(client, owner, [{"type": "mcp", "server_id": server["id"], "tool": "add"}]).json()
    client.patch(
        f"/v1/agents/{agent['id']}",
        headers=bearer(owner),
        json={"is_published": True, "is_public_chat": True},
    )
    llm.script(Completion(text="No tools for you."))
    # someone else's chat never reaches the owner's server (nor spends the owner's credentials)
    assert say(client, visitor, agent["id"], "Add 1 and 2").status_code == 200
    assert "tools" not in llm.requests[-1].body
    # a disabled server is left out for the owner too
    db.execute(update(McpServer).where(McpServer.id == server["id"]).values(is_enabled=False))
    assert say(client, owner, agent["id"], "Add 1 and 2").status_code == 200
    assert "tools" not in llm.requests[-1].body
