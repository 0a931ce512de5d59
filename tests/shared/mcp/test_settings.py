"""/v1/users/me/mcp-settings: per-user MCP settings of client tools (seed 001's agent_mcp_settings), the
tool's credentials kept secret, and the config file each tool expects, which never holds a secret."""

import json
import tomllib

import pytest
from sqlalchemy import select

from shared.config import settings
from shared.mcp.models import McpToolSetting
from tests.accounts import bearer, signup
from tests.shared.mcp.conftest import register

CONFIG = {"mcpServers": {"codex-as-mcp": {"command": "uvx", "args": ["codex-as-mcp", "--yolo"]}}}
AUTH = {"OPENAI_API_KEY": "sk-tool-credential-99"}
SERVER_SECRET = "Bearer sk-server-secret-5"
ENV_SECRET = "ghp_env_secret_6"


def put(client, account, tool_type, body):  # type: ignore[no-untyped-def]
    return client.put(f"/v1/users/me/mcp-settings/{tool_type}", headers=bearer(account), json=body)


def test_a_setting_is_stored_replaced_listed_and_deleted_with_its_credentials_hidden(client, db):
    owner = signup(client)
    created = put(
        client, owner, "codex", {"mcp_config": CONFIG, "auth_json": AUTH, "store_path": "~/.codex/auth.json"}
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["tool_type"], body["mcp_config"], body["has_auth_json"]) == ("codex", CONFIG, True)
    assert body["store_path"] == "~/.codex/auth.json" and body["is_active"] is True
    stored = db.scalar(select(McpToolSetting).where(McpToolSetting.tool_type == "codex"))
    assert "sk-tool-credential" not in (stored.auth_json_encrypted or "")
    # replacing without auth_json keeps the stored credentials; null removes them
    replaced = put(
        client, owner, "codex", {"mcp_config": {"mcpServers": {}}, "metadata_json": {"model": "o3"}}
    )
    assert replaced.status_code == 200 and replaced.json()["has_auth_json"] is True
    assert replaced.json()["metadata_json"] == {"model": "o3"}
    assert put(client, owner, "codex", {"auth_json": None}).json()["has_auth_json"] is False
    put(client, owner, "custom:my-ide", {"mcp_config": CONFIG})
    listed = client.get("/v1/users/me/mcp-settings", headers=bearer(owner)).json()
    assert [item["tool_type"] for item in listed["items"]] == ["codex", "custom:my-ide"]
    assert "sk-tool-credential" not in json.dumps(listed)
    assert client.delete("/v1/users/me/mcp-settings/codex", headers=bearer(owner)).status_code == 204
    assert client.delete("/v1/users/me/mcp-settings/codex", headers=bearer(owner)).status_code == 404


def test_settings_are_each_users_own(client):
    owner, other = signup(client), signup(client)
    put(client, owner, "cursor", {"mcp_config": CONFIG, "auth_json": AUTH})
    assert client.get("/v1/users/me/mcp-settings", headers=bearer(other)).json()["total"] == 0
    assert client.delete("/v1/users/me/mcp-settings/cursor", headers=bearer(other)).status_code == 404
    # the other user's PUT makes their own, leaving the owner's as it was
    assert put(client, other, "cursor", {"mcp_config": {"mcpServers": {}}}).status_code == 201
    owners = client.get("/v1/users/me/mcp-settings", headers=bearer(owner)).json()["items"]
    assert owners[0]["mcp_config"] == CONFIG


@pytest.mark.parametrize(
    "tool_type", ["vscode", "custom:", "custom:Has_Caps", "custom:a--b", "CODEX", "custom:" + "a" * 60]
)
def test_an_unknown_tool_type_form_is_422(client, tool_type):
    owner = signup(client)
    assert put(client, owner, tool_type, {"mcp_config": CONFIG}).status_code == 422
    assert (
        client.get(f"/v1/users/me/mcp-settings/{tool_type}/export", headers=bearer(owner)).status_code == 422
    )


@pytest.mark.parametrize(
    "config",
    [
        {"servers": {}},  # not mcpServers
        {"mcpServers": []},
        {"mcpServers": {"x": {}}},  # neither a command nor a url
        {"mcpServers": {"x": {"command": "npx", "url": "https://a.example"}}},  # both
        {"mcpServers": {"x": {"url": "ftp://a.example"}}},
        {"mcpServers": {"x": {"command": "npx", "args": "not a list"}}},
        {"mcpServers": {"x": {"command": "npx", "env": {"TOKEN": 42}}}},
        {"mcpServers": {"bad name!": {"command": "npx"}}},
        {"mcpServers": {"x": {"url": "https://a.example", "headers": {"X-A": "b\r\nInjected: c"}}}},
    ],
)
def test_a_malformed_mcp_config_is_422(client, config):
    assert put(client, signup(client), "claude_code", {"mcp_config": config}).status_code == 422


def test_a_config_over_the_limit_is_413(client):
    owner = signup(client)
    big = {"mcpServers": {f"s{n}": {"command": "npx", "args": ["x" * 900]} for n in range(80)}}
    assert len(json.dumps(big)) > settings.MAX_MCP_CONFIG_BYTES
    assert put(client, owner, "claude_code", {"mcp_config": big}).status_code == 413
    too_much_auth = {"auth_json": {"blob": "x" * (settings.MAX_MCP_CONFIG_BYTES + 1)}}
    assert put(client, owner, "claude_code", too_much_auth).status_code == 413


@pytest.fixture
def servers(client, aws, remote):  # type: ignore[no-untyped-def]
    """An account with an http server (a secret header), a stdio server (a secret variable), a disabled
    server and an SSE server."""
    owner = signup(client)
    register(client, owner, name="weather", url=remote.url, headers={"Authorization": SERVER_SECRET})
    register(
        client,
        owner,
        name="github",
        transport="stdio",
        command="npx",
        args=["-y", "@modelcontextprotocol/server-github"],
        env={"GITHUB_TOKEN": ENV_SECRET},
    )
    register(client, owner, name="old", url=remote.url, is_enabled=False)
    register(client, owner, name="events", transport="sse", url=remote.sse_url)
    put(client, owner, "claude_code", {"mcp_config": CONFIG, "auth_json": AUTH})
    return owner


def export(client, account, tool_type):  # type: ignore[no-untyped-def]
    response = client.get(f"/v1/users/me/mcp-settings/{tool_type}/export", headers=bearer(account))
    assert response.status_code == 200, response.text
    for secret in ("sk-server-secret", ENV_SECRET, "sk-tool-credential"):
        assert secret not in response.text
    return response


def test_the_claude_code_export_is_an_mcp_servers_file_without_a_secret(client, servers, remote):
    response = export(client, servers, "claude_code")
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["content-disposition"] == 'attachment; filename=".mcp.json"'
    assert response.json() == {
        "mcpServers": {
            "ainav": {
                "type": "http",
                "url": "http://testserver/v1/mcp",
                "headers": {"X-API-Key": "${AINAV_API_KEY}"},
            },
            "events": {"type": "sse", "url": remote.sse_url},
            "github": {
                "command": "npx",
                "args": ["-y", "@modelcontextprotocol/server-github"],
                "env": {"GITHUB_TOKEN": "${GITHUB_TOKEN}"},
            },
            "weather": {
                "type": "http",
                "url": remote.url,
                "headers": {"Authorization": "${MCP_WEATHER_AUTHORIZATION}"},
            },
            "codex-as-mcp": {"command": "uvx", "args": ["codex-as-mcp", "--yolo"]},  # the setting's own
        }
    }


def test_the_cursor_export_uses_cursors_variable_syntax(client, servers, monkeypatch):
    monkeypatch.setattr(settings, "API_BASE_URL", "https://api.ainav.example.com/prod")
    servers_of = export(client, servers, "cursor").json()["mcpServers"]
    assert servers_of["ainav"] == {
        "url": "https://api.ainav.example.com/prod/v1/mcp",
        "headers": {"X-API-Key": "${env:AINAV_API_KEY}"},
    }
    assert servers_of["github"]["env"] == {"GITHUB_TOKEN": "${env:GITHUB_TOKEN}"}
    assert "codex-as-mcp" not in servers_of  # that setting is Claude Code's


def test_the_codex_export_is_toml_codex_reads(client, servers, remote):
    response = export(client, servers, "codex")
    assert response.headers["content-type"].startswith("application/toml")
    config = tomllib.loads(response.text)["mcp_servers"]
    assert config["ainav"] == {
        "url": "http://testserver/v1/mcp",
        "env_http_headers": {"X-API-Key": "AINAV_API_KEY"},
    }
    assert config["weather"]["env_http_headers"] == {"Authorization": "MCP_WEATHER_AUTHORIZATION"}
    assert config["github"] == {
        "command": "npx",
        "args": ["-y", "@modelcontextprotocol/server-github"],
        "env_vars": ["GITHUB_TOKEN"],
    }
    assert "events" not in config and "# events: an SSE server" in response.text


def test_a_custom_tool_gets_the_generic_file_and_an_inactive_setting_adds_nothing(client, servers):
    owner = servers
    put(client, owner, "custom:my-ide", {"mcp_config": CONFIG, "is_active": False})
    response = export(client, owner, "custom:my-ide")
    assert response.headers["content-disposition"] == 'attachment; filename="mcp.json"'
    assert set(response.json()["mcpServers"]) == {"ainav", "weather", "github", "events"}


def test_an_export_with_nothing_stored_still_points_at_ainav(client):
    response = export(client, signup(client), "claude_code")
    assert list(response.json()["mcpServers"]) == ["ainav"]
