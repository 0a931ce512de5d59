"""Per-user MCP settings of client tools (Claude Code, Codex, Cursor, `custom:<slug>`), and the config
file each tool expects, exported with the user's enabled MCP servers and ainav's own MCP endpoint.

An export never holds a secret: ainav's entry reads the API key from the `AINAV_API_KEY` environment
variable, a server's headers and environment from variables named after them, in the syntax of the
tool (`${VAR}` for Claude Code and custom tools, `${env:VAR}` for Cursor, `env_http_headers` and
`env_vars` for Codex)."""

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared import crypto
from shared.api.pagination import PageParams, paginate
from shared.config import settings
from shared.errors import ConflictError, InvalidInputError, NotFoundError, PayloadTooLargeError
from shared.mcp import service as mcp_service
from shared.mcp.models import McpServer, McpToolSetting
from shared.mcp.schemas import McpSettingPublic, McpSettingWrite

KNOWN_TOOL_TYPES = ("claude_code", "codex", "cursor")
TOOL_TYPE = re.compile(r"^(claude_code|codex|cursor|custom:[a-z0-9]+(?:-[a-z0-9]+)*)$")
MAX_TOOL_TYPE = 64
AINAV_ENTRY = "ainav"
API_KEY_VARIABLE = "AINAV_API_KEY"
BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def check_tool_type(tool_type: str) -> str:
    """`claude_code`, `codex`, `cursor` or `custom:<slug>` (lowercase letters, digits, hyphens): 422
    otherwise."""
    if len(tool_type) > MAX_TOOL_TYPE or not TOOL_TYPE.match(tool_type):
        raise InvalidInputError(
            "tool_type must be claude_code, codex, cursor or custom:<slug> (lowercase letters, digits and "
            "single hyphens)"
        )
    return tool_type


def _check_size(name: str, value: Any) -> None:
    size = len(json.dumps(value, ensure_ascii=False).encode("utf-8"))
    if size > settings.MAX_MCP_CONFIG_BYTES:
        raise PayloadTooLargeError(f"{name} is {size} bytes; the limit is {settings.MAX_MCP_CONFIG_BYTES}")


def to_public(setting: McpToolSetting) -> McpSettingPublic:
    return McpSettingPublic(
        tool_type=setting.tool_type,
        mcp_config=setting.mcp_config,
        metadata_json=setting.metadata_json,
        is_active=setting.is_active,
        store_path=setting.store_path,
        has_auth_json=setting.auth_json_encrypted is not None,
        created_at=setting.created_at,
        updated_at=setting.updated_at,
    )


def get_setting(session: Session, *, user_id: uuid.UUID, tool_type: str) -> McpToolSetting | None:
    return session.scalar(
        select(McpToolSetting).where(McpToolSetting.user_id == user_id, McpToolSetting.tool_type == tool_type)
    )


def put_setting(
    session: Session, *, user_id: uuid.UUID, tool_type: str, request: McpSettingWrite
) -> tuple[McpToolSetting, bool]:
    """Store (or replace) the user's setting of a tool; returns it and whether it is new. `auth_json`
    left out keeps the stored one."""
    check_tool_type(tool_type)
    mcp_config = request.mcp_config.model_dump(mode="json", exclude_none=True)
    for name, value in (("mcp_config", mcp_config), ("metadata_json", request.metadata_json)):
        _check_size(name, value)
    if request.auth_json is not None:
        _check_size("auth_json", request.auth_json)
    setting = get_setting(session, user_id=user_id, tool_type=tool_type)
    created = setting is None
    if setting is None:
        setting = McpToolSetting(user_id=user_id, tool_type=tool_type)
        session.add(setting)
    setting.mcp_config = mcp_config
    setting.metadata_json = request.metadata_json
    setting.is_active = request.is_active
    setting.store_path = request.store_path
    if "auth_json" in request.model_fields_set:
        setting.auth_json_encrypted = (
            crypto.encrypt(json.dumps(request.auth_json)) if request.auth_json is not None else None
        )
    try:
        session.commit()
    except IntegrityError:  # the same tool's setting saved twice at once
        session.rollback()
        raise ConflictError("This setting was just saved by another request; try again") from None
    return setting, created


def list_settings(
    session: Session, *, user_id: uuid.UUID, page: PageParams
) -> tuple[list[McpToolSetting], int]:
    query = select(McpToolSetting).where(McpToolSetting.user_id == user_id).order_by(McpToolSetting.tool_type)
    return paginate(session, query, page)


def delete_setting(session: Session, *, user_id: uuid.UUID, tool_type: str) -> None:
    setting = get_setting(session, user_id=user_id, tool_type=check_tool_type(tool_type))
    if setting is None:
        raise NotFoundError("No MCP setting is stored for this tool")
    session.delete(setting)
    session.commit()


def remove_all(session: Session, *, user_id: uuid.UUID) -> int:
    """Every setting of the user (the caller commits)."""
    return session.execute(delete(McpToolSetting).where(McpToolSetting.user_id == user_id)).rowcount


# --- export ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One server of an export, before the tool's own syntax: a URL with headers, or a command with an
    environment; secret values are names of environment variables."""

    transport: str  # streamable_http | sse | stdio
    url: str | None = None
    headers: dict[str, str] | None = None  # header → variable
    command: str | None = None
    args: list[str] | None = None
    env: dict[str, str] | None = None  # variable the server reads → variable of the user's
    extra: dict[str, Any] | None = None  # keys of a stored entry, written as they are


@dataclass(frozen=True)
class Export:
    filename: str
    media_type: str
    content: str


def _variable(*parts: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", "_".join(parts).upper()).strip("_") or "SECRET"


def _server_entry(server: McpServer) -> Entry:
    credentials = mcp_service.credentials_of(server)
    if server.transport == "stdio":
        return Entry(
            "stdio", command=server.command, args=list(server.args), env={k: k for k in credentials["env"]}
        )
    return Entry(
        server.transport,
        url=server.url,
        headers={name: _variable("MCP", server.name, name) for name in credentials["headers"]},
    )


def _stored_entry(entry: dict[str, Any]) -> Entry:
    """A server of the setting's own `mcpServers`, written back as the user saved it."""
    rest = {key: value for key, value in entry.items() if key not in ("type", "command", "args", "url")}
    if entry.get("command"):
        return Entry("stdio", command=entry["command"], args=entry.get("args"), extra=rest)
    transport = "sse" if entry.get("type") == "sse" else "streamable_http"
    return Entry(transport, url=entry["url"], extra=rest)


def _entry_key(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "server"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    taken.add(key)
    return key


def entries_for(
    session: Session, *, user_id: uuid.UUID, tool_type: str, endpoint_url: str
) -> dict[str, Entry]:
    """ainav's endpoint, the user's enabled servers, then the servers of the user's active setting for
    the tool (which win on a name both use)."""
    entries = {
        AINAV_ENTRY: Entry("streamable_http", url=endpoint_url, headers={"X-API-Key": API_KEY_VARIABLE})
    }
    taken = set(entries)
    for server in mcp_service.enabled_servers(session, user_id):
        entries[_entry_key(server.name, taken)] = _server_entry(server)
    setting = get_setting(session, user_id=user_id, tool_type=tool_type)
    if setting is not None and setting.is_active:
        for name, entry in (setting.mcp_config.get("mcpServers") or {}).items():
            entries[name] = _stored_entry(entry)
    return entries


def export(session: Session, *, user_id: uuid.UUID, tool_type: str, api_base_url: str) -> Export:
    """The config file of the tool, for this user."""
    check_tool_type(tool_type)
    entries = entries_for(
        session, user_id=user_id, tool_type=tool_type, endpoint_url=f"{api_base_url.rstrip('/')}/v1/mcp"
    )
    if tool_type == "codex":
        return Export("config.toml", "application/toml", codex_toml(entries))
    if tool_type == "cursor":
        document = {"mcpServers": {name: cursor_json(entry) for name, entry in entries.items()}}
        return Export("mcp.json", "application/json", json.dumps(document, indent=2, ensure_ascii=False))
    document = {"mcpServers": {name: claude_json(entry) for name, entry in entries.items()}}
    filename = ".mcp.json" if tool_type == "claude_code" else "mcp.json"
    return Export(filename, "application/json", json.dumps(document, indent=2, ensure_ascii=False))


def _json_entry(entry: Entry, reference: str, types: dict[str, str | None]) -> dict[str, Any]:
    if entry.transport == "stdio":
        written: dict[str, Any] = {"command": entry.command, "args": entry.args or []}
        if entry.env:
            written["env"] = {name: reference.format(variable) for name, variable in entry.env.items()}
    else:
        written = {"url": entry.url}
        if types[entry.transport]:
            written = {"type": types[entry.transport], **written}
        if entry.headers:
            written["headers"] = {
                name: reference.format(variable) for name, variable in entry.headers.items()
            }
    return {**written, **(entry.extra or {})}


def claude_json(entry: Entry) -> dict[str, Any]:
    """Claude Code's `.mcp.json` (and the generic `mcpServers` file): `${VAR}` expands variables."""
    return _json_entry(entry, "${{{}}}", {"streamable_http": "http", "sse": "sse"})


def cursor_json(entry: Entry) -> dict[str, Any]:
    """Cursor's `.cursor/mcp.json`: a remote server is just its URL; `${env:VAR}` expands variables."""
    return _json_entry(entry, "${{env:{}}}", {"streamable_http": None, "sse": None})


def _toml_key(key: str) -> str:
    return key if BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # TOML basic strings take JSON's escapes
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value if item is not None) + "]"
    if isinstance(value, dict):
        pairs = (f"{_toml_key(str(k))} = {_toml_value(v)}" for k, v in value.items() if v is not None)
        return "{ " + ", ".join(pairs) + " }" if value else "{}"
    return json.dumps(str(value), ensure_ascii=False)


def codex_toml(entries: dict[str, Entry]) -> str:
    """Codex's `~/.codex/config.toml` `[mcp_servers.<name>]` tables: a stdio server forwards the
    variables it reads (`env_vars`), a Streamable HTTP server reads header values from variables
    (`env_http_headers`); Codex speaks no SSE, so SSE servers are left out, saying so."""
    lines = ["# MCP servers for Codex (~/.codex/config.toml); secrets come from environment variables", ""]
    for name, entry in entries.items():
        if entry.transport == "sse":
            lines += [f"# {name}: an SSE server, which Codex cannot reach; left out", ""]
            continue
        table: dict[str, Any] = {}
        if entry.transport == "stdio":
            table = {"command": entry.command, "args": entry.args or []}
            if entry.env:
                table["env_vars"] = sorted(entry.env)
        else:
            table = {"url": entry.url}
            if entry.headers:
                table["env_http_headers"] = dict(entry.headers)
        extra = dict(entry.extra or {})
        if "headers" in extra:
            table["http_headers"] = extra.pop("headers")
        table.update(extra)
        lines.append(f"[mcp_servers.{_toml_key(name)}]")
        lines += [
            f"{_toml_key(key)} = {_toml_value(value)}" for key, value in table.items() if value is not None
        ]
        lines.append("")
    return "\n".join(lines)
