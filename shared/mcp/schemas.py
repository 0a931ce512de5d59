"""Request and response bodies of /v1/mcp-servers and /v1/users/me/mcp-settings. Credentials (a
server's headers and environment, a setting's `auth_json`) are accepted, never returned: answers name
the headers and variables that are set, and say whether `auth_json` is."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from shared.api.pagination import Page

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
Description = Annotated[str, StringConstraints(max_length=2000)]
Transport = Literal["streamable_http", "sse", "stdio"]
Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2048)]
Command = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Argument = Annotated[str, StringConstraints(max_length=1000)]
# RFC 9110 field names; values without CR or LF (a header never takes a line break of its caller's)
HeaderName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$")]
HeaderValue = Annotated[str, StringConstraints(pattern=r"^[^\r\n\x00]*$", max_length=4096)]
EnvName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")]
EnvValue = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", max_length=4096)]
Headers = Annotated[dict[HeaderName, HeaderValue], Field(max_length=20)]
Env = Annotated[dict[EnvName, EnvValue], Field(max_length=50)]
Args = Annotated[list[Argument], Field(max_length=50)]


class McpServerCreate(BaseModel):
    """An http server (`streamable_http`, the default, or `sse`) needs a `url`; a `stdio` one a
    `command`. `headers` go with every request to the server; `env` is a stdio server's environment."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    description: Description | None = None
    project_id: uuid.UUID | None = None
    transport: Transport = "streamable_http"
    url: Url | None = None
    headers: Headers = Field(default_factory=dict, description="sent to the server; never returned")
    command: Command | None = None
    args: Args = Field(default_factory=list)
    env: Env = Field(default_factory=dict, description="a stdio server's environment; never returned")
    is_enabled: bool = True


class McpServerUpdate(BaseModel):
    """Only what is sent changes; `headers` or `env`, when sent, replace the stored ones."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    description: Description | None = None
    project_id: uuid.UUID | None = None
    transport: Transport | None = None
    url: Url | None = None
    headers: Headers | None = None
    command: Command | None = None
    args: Args | None = None
    env: Env | None = None
    is_enabled: bool | None = None


class McpServerPublic(BaseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    project_id: uuid.UUID | None
    name: str
    description: str | None
    transport: str
    url: str | None
    command: str | None
    args: list[str]
    header_names: list[str] = Field(description="the headers that are set (their values are never shown)")
    env_names: list[str] = Field(description="the variables that are set (their values are never shown)")
    is_enabled: bool
    needs_sync: bool = Field(description="a check is due: the server is new or changed since its last check")
    last_health_check: datetime | None
    health_status: Literal["healthy", "unhealthy", "unknown"]
    tool_names: list[str] | None = Field(description="from the last successful check; null: never listed")
    error: str | None = Field(description="why the last check failed")
    runnable: bool = Field(description="whether workflows and agents can use it (stdio servers cannot)")
    note: str | None
    created_at: datetime
    updated_at: datetime


class McpToolPublic(BaseModel):
    name: str
    title: str | None = None
    description: str | None = None
    input_schema: dict[str, Any]
    annotations: dict[str, Any] | None = None


class McpToolPage(Page[McpToolPublic]):
    """The server's tools as its last successful check listed them."""

    known: bool = Field(description="false until a check has listed the tools")
    health_status: Literal["healthy", "unhealthy", "unknown"]
    last_health_check: datetime | None


# --- per-user settings of MCP client tools ---------------------------------------------------------

ServerKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")]


class McpConfigEntry(BaseModel):
    """One server of an `mcpServers` map: a command to start (stdio) or a URL to reach. Keys a client
    tool adds of its own (`disabled`, `timeout`, ...) are kept."""

    model_config = ConfigDict(extra="allow")

    type: Literal["stdio", "http", "sse", "streamable-http", "streamable_http"] | None = None
    command: Command | None = None
    args: Annotated[list[Argument], Field(max_length=100)] | None = None
    env: dict[Annotated[str, StringConstraints(min_length=1, max_length=128)], EnvValue] | None = None
    cwd: Annotated[str, StringConstraints(max_length=1000)] | None = None
    url: Annotated[str, StringConstraints(pattern=r"^https?://", max_length=2048)] | None = None
    headers: dict[HeaderName, HeaderValue] | None = None

    @model_validator(mode="after")
    def command_or_url(self) -> "McpConfigEntry":
        if (self.command is None) == (self.url is None):
            raise ValueError("a server needs either a command (stdio) or a url, not both")
        return self


class McpConfig(BaseModel):
    """`{"mcpServers": {name: {command, args?, env?} | {url, type?, headers?}}}`."""

    model_config = ConfigDict(extra="forbid")

    mcpServers: Annotated[dict[ServerKey, McpConfigEntry], Field(max_length=100)] = Field(
        default_factory=dict
    )


class McpSettingWrite(BaseModel):
    """`auth_json` (the client tool's credentials) is encrypted at rest and never returned; omitted, the
    stored one is kept, `null` removes it."""

    model_config = ConfigDict(extra="forbid")

    mcp_config: McpConfig = Field(default_factory=McpConfig)
    auth_json: dict[str, Any] | None = None
    metadata_json: dict[str, Any] = Field(default_factory=dict)
    is_active: bool = True
    store_path: (
        Annotated[str, StringConstraints(pattern=r"^[^\x00\r\n]*$", min_length=1, max_length=256)] | None
    ) = Field(None, description="where a sandbox keeps the tool's credentials, e.g. ~/.codex/auth.json")


class McpSettingPublic(BaseModel):
    tool_type: str
    mcp_config: dict[str, Any]
    metadata_json: dict[str, Any]
    is_active: bool
    store_path: str | None
    has_auth_json: bool
    created_at: datetime
    updated_at: datetime
