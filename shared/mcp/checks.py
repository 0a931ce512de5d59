"""Health checks of users' MCP servers: the worker's `mcp.check` connects, lists the tools and records
them with the server's health; maintenance queues a check for every enabled http server whose last one
is stale (or whose queued check was lost)."""

import uuid
from datetime import timedelta

from aws_lambda_powertools import Logger
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from shared import outbound
from shared.config import get_utc_now, settings
from shared.mcp import client
from shared.mcp import service as mcp_service
from shared.mcp.models import HTTP_TRANSPORTS, McpServer
from shared.queue import messages
from shared.queue import service as queue_service

logger = Logger(child=True)

MAX_ERROR_LENGTH = 1000
MAX_DESCRIPTION_LENGTH = 2000
QUEUE_BATCH = 100


def _kept(tool: dict) -> dict:
    """What is cached of a listed tool: its name, title, description (cut), input schema, annotations."""
    kept = {
        "name": tool["name"],
        "description": (tool.get("description") or "")[:MAX_DESCRIPTION_LENGTH],
        "inputSchema": tool.get("inputSchema") or {"type": "object"},
    }
    for optional in ("title", "annotations"):
        if tool.get(optional):
            kept[optional] = tool[optional]
    return kept


def check_server(session: Session, server_id: uuid.UUID) -> str | None:
    """Connect to the server, list its tools, record them and its health; returns the health (None for a
    server that is gone or is stdio). A server that fails is recorded unhealthy with the reason; its
    last known tools are kept."""
    server = session.get(McpServer, server_id)
    if server is None or server.transport not in HTTP_TRANSPORTS:
        return None
    target, checked = mcp_service.target_of(server), (server.transport, server.url)
    session.commit()  # no transaction stays open while the server is called
    tools, error = None, None
    try:
        tools = client.list_tools(target, timeout=settings.MCP_CALL_TIMEOUT_SECONDS)
    except outbound.OutboundError as exc:
        error = str(exc)[:MAX_ERROR_LENGTH]
    server = session.get(McpServer, server_id, populate_existing=True)
    if server is None or (server.transport, server.url) != checked:
        return None  # deleted or moved meanwhile: the change queued a check of its own
    if tools is None:
        server.health_status, server.error = "unhealthy", error
        logger.info("mcp server unhealthy", extra={"server_id": str(server_id), "error": error})
    else:
        server.tools = [_kept(tool) for tool in tools if isinstance(tool.get("name"), str)]
        server.health_status, server.error = "healthy", None
    server.last_health_check = get_utc_now()
    server.needs_sync = False
    session.commit()
    return server.health_status


def enqueue_due_checks(session: Session) -> int:
    """Queue `mcp.check` for the enabled http servers whose last check is older than
    MCP_CHECK_STALE_HOURS, and for those due a check that was queued long ago and never ran."""
    now = get_utc_now()
    stale = now - timedelta(hours=settings.MCP_CHECK_STALE_HOURS)
    lost = now - timedelta(seconds=settings.PENDING_REQUEUE_AFTER_SECONDS)
    due = session.scalars(
        select(McpServer.id)
        .where(
            McpServer.transport.in_(HTTP_TRANSPORTS),
            McpServer.is_enabled,
            or_(
                and_(McpServer.needs_sync, McpServer.updated_at < lost),
                and_(
                    ~McpServer.needs_sync,
                    or_(McpServer.last_health_check.is_(None), McpServer.last_health_check < stale),
                ),
            ),
        )
        .order_by(McpServer.last_health_check.asc().nulls_first())
        .limit(QUEUE_BATCH)
    ).all()
    queued = 0
    for server_id in due:
        try:
            queue_service.send(session, messages.McpCheck(server_id=server_id))
        except queue_service.QueueUnavailableError:
            break
        # due and just queued: not queued again before PENDING_REQUEUE_AFTER_SECONDS
        session.execute(
            update(McpServer).where(McpServer.id == server_id).values(needs_sync=True, updated_at=now)
        )
        queued += 1
    session.commit()
    return queued
