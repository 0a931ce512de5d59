"""/v1/mcp-servers: registering a user's remote MCP servers, their credentials kept secret, the SSRF
guard at save, the check queued for http servers, stdio servers stored for the export only."""

import uuid

import pytest
from sqlalchemy import select

from shared.config import settings
from shared.mcp import checks
from shared.mcp.models import McpServer
from tests.accounts import bearer, signup
from tests.graphs import edge, graph, node
from tests.shared.mcp.conftest import queued_bodies, register

SECRET = "Bearer sk-remote-credential-123"


def test_an_http_server_is_saved_with_its_credentials_hidden_and_a_check_queued(client, db, aws, remote):
    # GIVEN a signed-in user
    owner = signup(client)
    # WHEN they register a Streamable HTTP server with a credential header
    server = register(client, owner, url=remote.url, headers={"Authorization": SECRET}, description="Weather")
    # THEN it is saved, due a check, its header named but never shown
    assert (server["transport"], server["health_status"], server["needs_sync"]) == (
        "streamable_http",
        "unknown",
        True,
    )
    assert server["header_names"] == ["Authorization"] and server["tool_names"] is None
    assert server["runnable"] is True and server["note"] is None
    listed = client.get("/v1/mcp-servers", headers=bearer(owner)).json()
    read = client.get(f"/v1/mcp-servers/{server['id']}", headers=bearer(owner))
    for text in (str(server), str(listed), read.text):
        assert "sk-remote-credential-123" not in text
    stored = db.scalar(select(McpServer).where(McpServer.id == server["id"]))
    assert "sk-remote" not in (stored.credentials_encrypted or "")
    # AND the worker was asked to check it
    assert queued_bodies(aws) == [{"type": "mcp.check", "server_id": server["id"]}]


def test_the_check_lists_the_tools_and_records_the_health(client, db, aws, remote):
    owner = signup(client)
    server = register(client, owner, url=remote.url, headers={"Authorization": SECRET})
    # WHEN the worker checks it (its per-message function, on the test's session)
    assert checks.check_server(db, uuid.UUID(server["id"])) == "healthy"
    # THEN the server is healthy with the tools the MCP server offers, sent with its header
    read = client.get(f"/v1/mcp-servers/{server['id']}", headers=bearer(owner)).json()
    assert (read["health_status"], read["needs_sync"], read["error"]) == ("healthy", False, None)
    assert read["last_health_check"] is not None
    assert set(read["tool_names"]) == {"add", "weather", "broken", "echo_auth", "long_text"}
    tools = client.get(f"/v1/mcp-servers/{server['id']}/tools", headers=bearer(owner)).json()
    assert (tools["known"], tools["total"], tools["health_status"]) == (True, 5, "healthy")
    add = next(tool for tool in tools["items"] if tool["name"] == "add")
    assert add["description"] == "Adds two integers."
    assert add["input_schema"]["required"] == ["a", "b"]
    assert any(headers.get("authorization") == SECRET for headers in remote.seen_headers)


def test_an_sse_server_is_checked_over_sse(client, db, aws, remote):
    owner = signup(client)
    server = register(client, owner, name="weather-sse", transport="sse", url=remote.sse_url)
    assert checks.check_server(db, uuid.UUID(server["id"])) == "healthy"
    assert (
        "weather" in client.get(f"/v1/mcp-servers/{server['id']}", headers=bearer(owner)).json()["tool_names"]
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/mcp",  # loopback
        "http://10.1.2.3/mcp",  # private
        "http://169.254.169.254/latest/meta-data",  # the metadata service
        "http://[::1]:8080/mcp",  # loopback, IPv6
        "file:///etc/passwd",
        "https://user:password@mcp.example.com/mcp",  # a credential in the URL
    ],
)
def test_a_private_loopback_or_metadata_url_is_refused_at_save(client, url):
    owner = signup(client)
    response = client.post("/v1/mcp-servers", headers=bearer(owner), json={"name": "inside", "url": url})
    assert response.status_code == 422, response.text
    assert "password" not in response.text


def test_the_allow_list_opens_a_loopback_url(client, aws, monkeypatch):
    owner = signup(client)
    monkeypatch.setattr(settings, "OUTBOUND_ALLOWED_HOSTS", ["127.0.0.1"])
    assert register(client, owner, url="http://127.0.0.1:9/mcp")["url"] == "http://127.0.0.1:9/mcp"


@pytest.mark.parametrize(
    "body",
    [
        {"name": "no-url"},  # an http server needs a URL
        {"name": "mixed", "url": "https://mcp.example.com/mcp", "command": "npx"},
        {"name": "no-command", "transport": "stdio"},
        {"name": "stdio-url", "transport": "stdio", "command": "npx", "url": "https://mcp.example.com"},
        {"name": "bad-header", "url": "https://mcp.example.com", "headers": {"X-Evil": "a\r\nInjected: 1"}},
        {"name": "", "url": "https://mcp.example.com"},
        {"name": "pipe", "transport": "websocket", "url": "wss://mcp.example.com"},
    ],
)
def test_malformed_servers_are_422(client, body):
    owner = signup(client)
    assert client.post("/v1/mcp-servers", headers=bearer(owner), json=body).status_code == 422


def test_a_stdio_server_is_stored_and_says_it_cannot_run_here(client, aws):
    owner = signup(client)
    server = register(
        client,
        owner,
        name="github",
        transport="stdio",
        command="npx",
        args=["-y", "@modelcontextprotocol/server-github"],
        env={"GITHUB_TOKEN": "ghp_very_secret_token"},
    )
    assert (server["runnable"], server["needs_sync"], server["env_names"]) == (False, False, ["GITHUB_TOKEN"])
    assert "cannot run in Lambda" in server["note"]
    assert "ghp_very_secret_token" not in str(server)
    assert queued_bodies(aws) == []  # nothing to check
    check = client.post(f"/v1/mcp-servers/{server['id']}/check", headers=bearer(owner))
    assert check.status_code == 422 and "stdio" in check.json()["detail"]


def test_names_are_unique_per_user(client, aws, remote):
    owner, other = signup(client), signup(client)
    register(client, owner, url=remote.url)
    again = client.post("/v1/mcp-servers", headers=bearer(owner), json={"name": "weather", "url": remote.url})
    assert again.status_code == 409
    register(client, other, url=remote.url)  # someone else's name is theirs


def test_another_users_server_is_404(client, aws, remote):
    owner, other = signup(client), signup(client)
    server = register(client, owner, url=remote.url)
    for method, suffix in (("GET", ""), ("PATCH", ""), ("DELETE", ""), ("POST", "/check"), ("GET", "/tools")):
        response = client.request(
            method,
            f"/v1/mcp-servers/{server['id']}{suffix}",
            headers=bearer(other),
            json={"description": "mine"} if method == "PATCH" else None,
        )
        assert response.status_code == 404, (method, suffix)
    assert client.get("/v1/mcp-servers", headers=bearer(other)).json()["total"] == 0


def test_the_servers_of_a_user_are_limited(client, aws, remote, monkeypatch):
    owner = signup(client)
    monkeypatch.setattr(settings, "MAX_MCP_SERVERS_PER_USER", 1)
    register(client, owner, url=remote.url)
    more = client.post("/v1/mcp-servers", headers=bearer(owner), json={"name": "more", "url": remote.url})
    assert more.status_code == 429


def test_a_new_url_forgets_the_tools_and_queues_a_check_but_a_rename_does_not(client, db, aws, remote):
    owner = signup(client)
    server = register(client, owner, url=remote.url)
    checks.check_server(db, uuid.UUID(server["id"]))
    queued_bodies(aws)
    url = f"/v1/mcp-servers/{server['id']}"
    renamed = client.patch(url, headers=bearer(owner), json={"name": "station", "is_enabled": False}).json()
    assert (renamed["name"], renamed["is_enabled"], renamed["health_status"]) == ("station", False, "healthy")
    assert queued_bodies(aws) == []
    moved = client.patch(url, headers=bearer(owner), json={"url": remote.sse_url, "transport": "sse"}).json()
    assert (moved["tool_names"], moved["health_status"], moved["needs_sync"]) == (None, "unknown", True)
    assert queued_bodies(aws) == [{"type": "mcp.check", "server_id": server["id"]}]
    refused = client.patch(url, headers=bearer(owner), json={"url": "http://169.254.169.254/"})
    assert refused.status_code == 422


def test_new_headers_replace_the_old_ones(client, db, aws, remote):
    owner = signup(client)
    server = register(client, owner, url=remote.url, headers={"Authorization": SECRET, "X-Team": "a"})
    changed = client.patch(
        f"/v1/mcp-servers/{server['id']}", headers=bearer(owner), json={"headers": {"X-Api-Key": "k-2"}}
    ).json()
    assert changed["header_names"] == ["X-Api-Key"] and changed["needs_sync"] is True
    checks.check_server(db, uuid.UUID(server["id"]))
    assert remote.seen_headers[-1].get("x-api-key") == "k-2"
    assert "authorization" not in remote.seen_headers[-1]


def test_a_server_used_by_a_workflow_cannot_be_deleted(client, db, aws, remote):
    owner = signup(client)
    server = register(client, owner, url=remote.url)
    checks.check_server(db, uuid.UUID(server["id"]))
    flow = graph(
        [node("in", "input"), node("sum", "mcp", server_id=server["id"], tool="add", arguments={"a": "1"})],
        [edge("in", "sum")],
    )
    saved = client.post("/v1/workflows", headers=bearer(owner), json={"name": "Adder", "graph_json": flow})
    assert saved.status_code == 201, saved.text
    refused = client.delete(f"/v1/mcp-servers/{server['id']}", headers=bearer(owner))
    assert refused.status_code == 409 and "Adder" in refused.json()["detail"]
    client.delete(f"/v1/workflows/{saved.json()['id']}", headers=bearer(owner))
    assert client.delete(f"/v1/mcp-servers/{server['id']}", headers=bearer(owner)).status_code == 204


def test_a_check_can_be_asked_for_again(client, aws, remote):
    owner = signup(client)
    server = register(client, owner, url=remote.url)
    queued_bodies(aws)
    again = client.post(f"/v1/mcp-servers/{server['id']}/check", headers=bearer(owner))
    assert again.status_code == 202 and again.json()["needs_sync"] is True
    assert queued_bodies(aws) == [{"type": "mcp.check", "server_id": server["id"]}]
