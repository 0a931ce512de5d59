"""A user's MCP servers: saving them (URL through the SSRF guard, credentials encrypted, a check queued
for http servers), reading and deleting them, and what workflows and agents need of one: the owner's
server, usable here (enabled, not unhealthy, not stdio), offering the tool they name."""

import json
import uuid
from typing import Any

from aws_lambda_powertools import Logger
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared import crypto, outbound
from shared.api.pagination import PageParams, paginate
from shared.config import settings
from shared.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    QuotaExceededError,
    ServiceUnavailableError,
)
from shared.mcp.client import Target
from shared.mcp.models import HTTP_TRANSPORTS, McpServer
from shared.mcp.schemas import McpServerCreate, McpServerPublic, McpServerUpdate
from shared.projects.models import Project
from shared.queue import messages
from shared.queue import service as queue_service
from shared.users.models import User
from shared.workflows.models import AgentWorkflow

logger = Logger(child=True)

STDIO_NOTE = (
    "stdio servers cannot run in Lambda: this one is kept for the settings export and cannot be used "
    "by workflows or agents"
)
# what a change to these means: the server may be another one, its tools unknown until checked again
CONNECTION_FIELDS = ("transport", "url")


# --- credentials -----------------------------------------------------------------------------------


def credentials_of(server: McpServer) -> dict[str, dict[str, str]]:
    """`{"headers": {...}, "env": {...}}`, decrypted."""
    if not server.credentials_encrypted:
        return {"headers": {}, "env": {}}
    stored = json.loads(crypto.decrypt(server.credentials_encrypted))
    return {"headers": stored.get("headers") or {}, "env": stored.get("env") or {}}


def _store_credentials(server: McpServer, headers: dict[str, str], env: dict[str, str]) -> None:
    server.credentials_encrypted = (
        crypto.encrypt(json.dumps({"headers": headers, "env": env})) if headers or env else None
    )


def target_of(server: McpServer) -> Target:
    """Where calls to the server go, with the headers it is sent and every value to mask."""
    credentials = credentials_of(server)
    return Target(
        name=server.name,
        transport=server.transport,
        url=server.url or "",
        headers=credentials["headers"],
        secrets=tuple({*credentials["headers"].values(), *credentials["env"].values()}),
    )


def to_public(server: McpServer) -> McpServerPublic:
    credentials = credentials_of(server)
    stdio = server.transport == "stdio"
    return McpServerPublic(
        id=server.id,
        user_id=server.user_id,
        project_id=server.project_id,
        name=server.name,
        description=server.description,
        transport=server.transport,
        url=server.url,
        command=server.command,
        args=server.args,
        header_names=sorted(credentials["headers"]),
        env_names=sorted(credentials["env"]),
        is_enabled=server.is_enabled,
        needs_sync=server.needs_sync,
        last_health_check=server.last_health_check,
        health_status=server.health_status,  # type: ignore[arg-type]
        tool_names=None if server.tools is None else [tool["name"] for tool in server.tools],
        error=server.error,
        runnable=not stdio,
        note=STDIO_NOTE if stdio else None,
        created_at=server.created_at,
        updated_at=server.updated_at,
    )


# --- saving ----------------------------------------------------------------------------------------


def check_url(url: str) -> None:
    """An http(s) URL without credentials in it, whose host resolves to public addresses only (unless
    OUTBOUND_ALLOWED_HOSTS opens it): 422 otherwise."""
    if "@" in url.split("://", 1)[-1].split("/", 1)[0]:
        raise InvalidInputError("url: put credentials in headers, not in the URL")
    try:
        outbound.check_destination(url)
    except outbound.OutboundError as exc:
        raise InvalidInputError(f"url is not allowed: {exc}") from None


def _check_shape(fields: dict[str, Any]) -> None:
    """An http server has a URL and no command; a stdio server a command and no URL or headers."""
    if fields["transport"] in HTTP_TRANSPORTS:
        if not fields["url"]:
            raise InvalidInputError(f"url is required for a {fields['transport']} server")
        stray = [name for name in ("command", "env") if fields[name]] + (["args"] if fields["args"] else [])
        if stray:
            raise InvalidInputError(f"{', '.join(stray)}: only for stdio servers")
        check_url(fields["url"])
    else:
        if not fields["command"]:
            raise InvalidInputError("command is required for a stdio server")
        stray = [name for name in ("url", "headers") if fields[name]]
        if stray:
            raise InvalidInputError(f"{', '.join(stray)}: not for stdio servers")


def _check_project(session: Session, user_id: uuid.UUID, project_id: uuid.UUID | None) -> None:
    if (
        project_id is not None
        and session.scalar(select(Project.id).where(Project.id == project_id, Project.user_id == user_id))
        is None
    ):
        raise InvalidInputError("project_id: no such project of yours")


def _commit_unique_name(session: Session) -> None:
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ConflictError("You already have an MCP server with this name") from None


def create_server(*, session: Session, user: User, request: McpServerCreate) -> McpServer:
    """Save a new server of the caller's; an http server gets a check queued."""
    held = session.scalar(select(func.count()).where(McpServer.user_id == user.id)) or 0
    if held >= settings.MAX_MCP_SERVERS_PER_USER:
        raise QuotaExceededError(f"You have {held} MCP servers, the most one account may keep")
    fields = request.model_dump()
    _check_shape(fields)
    _check_project(session, user.id, request.project_id)
    server = McpServer(
        id=uuid.uuid4(),
        user_id=user.id,
        **{name: value for name, value in fields.items() if name not in ("headers", "env")},
        needs_sync=request.transport in HTTP_TRANSPORTS,
    )
    _store_credentials(server, request.headers, request.env)
    session.add(server)
    _commit_unique_name(session)
    if server.transport in HTTP_TRANSPORTS:
        _queue_check(session, server, required=False)
    return server


NOT_NULLABLE = ("name", "transport", "args", "is_enabled")


def update_server(*, session: Session, server: McpServer, request: McpServerUpdate) -> McpServer:
    """Change what is sent; a change of transport, URL or headers makes a new check due."""
    changes = request.model_dump(exclude_unset=True)
    nulls = sorted(name for name in NOT_NULLABLE if name in changes and changes[name] is None)
    if nulls:
        raise InvalidInputError(f"{', '.join(nulls)} cannot be null")
    credentials = credentials_of(server)
    merged = {
        "transport": server.transport,
        "url": server.url,
        "command": server.command,
        "args": server.args,
        **credentials,
        **{name: value for name, value in changes.items() if name in ("transport", "url", "command", "args")},
        **{name: changes[name] or {} for name in ("headers", "env") if name in changes},
    }
    if {"transport", "url", "command", "args", "headers", "env"} & changes.keys():
        _check_shape(merged)
    if "project_id" in changes:
        _check_project(session, server.user_id, changes["project_id"])
    moved = any(name in changes and changes[name] != getattr(server, name) for name in CONNECTION_FIELDS)
    reconnect = moved or ("headers" in changes and merged["headers"] != credentials["headers"])
    for name, value in changes.items():
        if name not in ("headers", "env"):
            setattr(server, name, value)
    _store_credentials(server, merged["headers"], merged["env"])
    if moved:  # perhaps another server: its tools are unknown until checked
        server.tools, server.health_status, server.error = None, "unknown", None
    if reconnect and server.transport in HTTP_TRANSPORTS:
        server.needs_sync = True
    elif server.transport == "stdio":
        server.needs_sync = False
    _commit_unique_name(session)
    if reconnect and server.transport in HTTP_TRANSPORTS:
        _queue_check(session, server, required=False)
    return server


def request_check(*, session: Session, server: McpServer) -> McpServer:
    """Queue a check of the server now (503 when the queue refuses it)."""
    if server.transport not in HTTP_TRANSPORTS:
        raise InvalidInputError(STDIO_NOTE)
    server.needs_sync = True
    session.commit()
    _queue_check(session, server, required=True)
    return server


def _queue_check(session: Session, server: McpServer, *, required: bool) -> None:
    """Send the server's `mcp.check`. A save does not fail when the queue refuses it: the server stays
    due (`needs_sync`) and maintenance queues it again."""
    try:
        queue_service.send(session, messages.McpCheck(server_id=server.id))
    except queue_service.QueueUnavailableError:
        if required:
            raise ServiceUnavailableError("The check could not be queued; try again shortly") from None
        logger.warning("mcp.check not queued; maintenance will", extra={"server_id": str(server.id)})


def workflows_using(session: Session, server_id: uuid.UUID) -> list[AgentWorkflow]:
    """Workflows whose graph has an mcp node of this server."""
    node = {"nodes": [{"type": "mcp", "data": {"server_id": str(server_id)}}]}
    return list(session.scalars(select(AgentWorkflow).where(AgentWorkflow.graph_json.contains(node))))


def delete_server(*, session: Session, server: McpServer) -> None:
    """Delete a server; 409 naming the workflows whose mcp nodes still use it (agents' tools of it are
    left out from then on)."""
    using = workflows_using(session, server.id)
    if using:
        names = ", ".join(repr(workflow.name) for workflow in using[:5])
        raise ConflictError(
            f"The server is used by {len(using)} workflow(s): {names}; remove its nodes first"
        )
    session.delete(server)
    session.commit()


def remove_all(*, session: Session, user_id: uuid.UUID) -> int:
    """Every server of the user (the caller commits)."""
    servers = session.scalars(select(McpServer).where(McpServer.user_id == user_id)).all()
    for server in servers:
        session.delete(server)
    return len(servers)


# --- reading ---------------------------------------------------------------------------------------


def get_owned(*, session: Session, server_id: uuid.UUID, user: User) -> McpServer:
    """The caller's server; anyone else's is a 404."""
    server = session.scalar(select(McpServer).where(McpServer.id == server_id, McpServer.user_id == user.id))
    if server is None:
        raise NotFoundError("MCP server not found")
    return server


def list_servers(
    *, session: Session, user: User, page: PageParams, project_id: uuid.UUID | None = None
) -> tuple[list[McpServer], int]:
    """The caller's servers by name."""
    query = select(McpServer).where(McpServer.user_id == user.id)
    if project_id is not None:
        query = query.where(McpServer.project_id == project_id)
    return paginate(session, query.order_by(McpServer.name, McpServer.id), page)


def enabled_servers(session: Session, user_id: uuid.UUID) -> list[McpServer]:
    return list(
        session.scalars(
            select(McpServer)
            .where(McpServer.user_id == user_id, McpServer.is_enabled)
            .order_by(McpServer.name)
        )
    )


# --- what workflows and agents use -----------------------------------------------------------------


def owned_server(session: Session, owner_id: uuid.UUID, server_id: uuid.UUID | str) -> McpServer | None:
    try:
        wanted = uuid.UUID(str(server_id))
    except ValueError:
        return None
    return session.scalar(select(McpServer).where(McpServer.id == wanted, McpServer.user_id == owner_id))


def tool_problem(server: McpServer, tool: str | None) -> str | None:
    """Why a workflow or an agent cannot name this server (and tool) at save: a stdio server, or a tool
    its known tool list does not offer; None when it can."""
    if server.transport not in HTTP_TRANSPORTS:
        return f"{server.name!r} is a stdio server, which cannot run here"
    if tool is not None and server.tools is not None and tool not in {t["name"] for t in server.tools}:
        return f"the server {server.name!r} offers no tool {tool!r}"
    return None


def unusable(server: McpServer) -> str | None:
    """Why a call cannot go to the server now: disabled, unhealthy or stdio; None when it can."""
    if server.transport not in HTTP_TRANSPORTS:
        return f"the MCP server {server.name!r} is a stdio server, which cannot run here"
    if not server.is_enabled:
        return f"the MCP server {server.name!r} is disabled"
    if server.health_status == "unhealthy":
        return f"the MCP server {server.name!r} is unhealthy ({server.error or 'its last check failed'})"
    return None


def tool_of(server: McpServer, name: str) -> dict[str, Any] | None:
    """The tool as the server's last check listed it; None when unknown."""
    return next((tool for tool in server.tools or [] if tool.get("name") == name), None)
