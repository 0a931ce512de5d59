"""Health checks of MCP servers (the worker's `mcp.check`) against what servers in the wild do: answer,
hang, answer garbage or too much, redirect somewhere private; and maintenance queueing stale checks."""

import uuid
from datetime import timedelta

import pytest

from shared.config import get_utc_now, settings
from shared.mcp import checks
from shared.mcp.models import McpServer
from tests.factories import make_user
from tests.fakes.http_server import Reply
from tests.shared.mcp.conftest import queued_bodies


def server_at(db, url: str, **fields) -> McpServer:  # type: ignore[no-untyped-def]
    server = McpServer(user_id=make_user(db).id, name=f"s-{uuid.uuid4().hex[:6]}", url=url, **fields)
    db.add(server)
    db.commit()
    return server


def test_a_healthy_server_gets_its_tools_cached(db, remote):
    server = server_at(db, remote.url)
    assert checks.check_server(db, server.id) == "healthy"
    assert {tool["name"] for tool in server.tools} >= {"add", "weather"}
    add = next(tool for tool in server.tools if tool["name"] == "add")
    assert add["inputSchema"]["properties"]["a"]["type"] == "integer"


def test_a_server_that_is_down_is_unhealthy_and_keeps_its_last_tools(db, remote, loopback):
    server = server_at(db, remote.url)
    checks.check_server(db, server.id)
    known = server.tools
    server.url = "http://127.0.0.1:9/mcp"  # nothing listens there
    db.commit()
    assert checks.check_server(db, server.id) == "unhealthy"
    assert "cannot reach the MCP server" in server.error
    assert server.tools == known and server.needs_sync is False


def test_a_server_that_hangs_fails_the_check_within_its_timeout(db, loopback, monkeypatch):
    monkeypatch.setattr(settings, "MCP_CALL_TIMEOUT_SECONDS", 0.5)
    loopback.script("/mcp", Reply(200, {}, delay=3))
    server = server_at(db, f"{loopback.url}/mcp")
    assert checks.check_server(db, server.id) == "unhealthy"
    assert server.error == f"the MCP server {server.name!r} did not answer within 0.5s"


@pytest.mark.parametrize(
    ("reply", "says"),
    [
        (Reply(200, b"<html>a login page</html>"), "is not MCP"),
        (Reply(200, {"hello": "world"}), "is not MCP"),
        (Reply(500, {"error": "boom"}), "answered HTTP 500"),
        (Reply(404, b"Not Found"), "Not Found"),
    ],
)
def test_a_server_that_answers_garbage_is_unhealthy_saying_why(db, loopback, reply, says):
    loopback.script("/mcp", reply)
    server = server_at(db, f"{loopback.url}/mcp")
    assert checks.check_server(db, server.id) == "unhealthy"
    assert says in server.error


def test_a_server_that_answers_too_much_is_cut_off(db, loopback, monkeypatch):
    monkeypatch.setattr(settings, "MCP_MAX_RESULT_BYTES", 10_000)
    loopback.script("/mcp", Reply(200, {"jsonrpc": "2.0", "id": 0, "result": {"padding": "x" * 50_000}}))
    server = server_at(db, f"{loopback.url}/mcp")
    assert checks.check_server(db, server.id) == "unhealthy"
    assert server.error == f"the MCP server {server.name!r} sent more than 10000 bytes"


def test_a_redirect_elsewhere_is_not_followed(db, loopback):
    loopback.script("/mcp", Reply(307, {}, headers={"Location": "http://169.254.169.254/latest/meta-data"}))
    server = server_at(db, f"{loopback.url}/mcp")
    assert checks.check_server(db, server.id) == "unhealthy"
    assert "169.254.169.254" in server.error and "not followed" in server.error


def test_a_same_origin_redirect_is_checked_again_before_it_is_followed(db, loopback, monkeypatch):
    # GIVEN a server whose address stops being allowed after its first answer (as with DNS rebinding)
    loopback.script("/mcp", Reply(307, {}, headers={"Location": "/moved"}))
    server = server_at(db, f"{loopback.url}/mcp")
    from shared import outbound

    checked = []
    real = outbound.check_destination

    def check_once(url: str) -> str:
        checked.append(url)
        if len(checked) > 1:
            raise outbound.OutboundRefused("now resolves to 10.0.0.1, which is not a public address")
        return real(url)

    monkeypatch.setattr(outbound, "check_destination", check_once)
    # WHEN it is checked
    assert checks.check_server(db, server.id) == "unhealthy"
    # THEN the redirect was checked too, and refused before any request went there
    assert checked == [f"{loopback.url}/mcp", f"{loopback.url}/moved"]
    assert loopback.calls("/moved") == []
    assert "not a public address" in server.error


def test_a_stdio_server_or_a_deleted_one_is_not_checked(db):
    stdio = McpServer(
        user_id=make_user(db).id, name="local", transport="stdio", command="npx", needs_sync=False
    )
    db.add(stdio)
    db.commit()
    assert checks.check_server(db, stdio.id) is None
    assert checks.check_server(db, uuid.uuid4()) is None


def test_maintenance_queues_the_checks_that_are_due(db, aws):
    now = get_utc_now()
    long_ago = now - timedelta(hours=settings.MCP_CHECK_STALE_HOURS + 1)
    due = [
        server_at(db, "https://a.example/mcp", needs_sync=False, last_health_check=long_ago),
        server_at(db, "https://b.example/mcp", needs_sync=False, last_health_check=None),
        server_at(db, "https://c.example/mcp", needs_sync=True, updated_at=now - timedelta(hours=1)),
    ]
    server_at(db, "https://fresh.example/mcp", needs_sync=False, last_health_check=now)
    server_at(db, "https://queued.example/mcp", needs_sync=True)  # its check was just queued
    server_at(db, "https://off.example/mcp", needs_sync=False, is_enabled=False)
    assert checks.enqueue_due_checks(db) == 3
    assert sorted(body["server_id"] for body in queued_bodies(aws)) == sorted(str(s.id) for s in due)
    assert checks.enqueue_due_checks(db) == 0  # queued once, not again every five minutes
