"""ainav's own MCP endpoint: `POST /v1/mcp` speaks MCP Streamable HTTP in stateless JSON-response mode,
through the official SDK's session manager and low-level server.

The route authenticates the caller and answers with an `McpExchange`, which hands the request's ASGI
scope to a session manager made for this request alone: its `run()` (the task group the SDK needs)
opens and closes around the one request, so nothing outlives it — no session id, no SSE stream, no
task between invocations — and the same code serves Lambda (Mangum), uvicorn and TestClient, inside
the app's error mapping, operation log and security headers. Clients of the 2.x SDK speak the
2026-07-28 revision (a self-contained request each); clients of the 1.x SDK and most others the
initialize handshake (2024-11-05 to 2025-11-25), which the stateless manager answers request by
request. The tools are `shared.mcp.served_tools`, run in a worker thread with the request's session."""

from contextvars import ContextVar
from dataclasses import dataclass

import anyio
from mcp import types
from mcp.server.lowlevel import Server
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.shared.exceptions import MCPError
from sqlalchemy.orm import Session
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from shared import __version__
from shared.mcp import served_tools
from shared.users.models import User

INSTRUCTIONS = (
    "ainav is a catalog of AI tools and a platform of agent workflows. Search the catalog with "
    "search_ai_tools, read one tool with get_ai_tool, get personal picks with recommend_ai_tools; "
    "the other tools run the caller's own workflows."
)


@dataclass(frozen=True)
class Caller:
    user: User
    session: Session


_caller: ContextVar[Caller] = ContextVar("mcp_caller")


def _tool(tool: served_tools.ServedTool) -> types.Tool:
    return types.Tool(
        name=tool.name,
        title=tool.title,
        description=tool.description,
        input_schema=tool.input_schema,
        annotations=types.ToolAnnotations(title=tool.title, read_only_hint=tool.read_only),
    )


async def list_tools(ctx: object, params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
    caller = _caller.get()
    tools = await anyio.to_thread.run_sync(served_tools.tools_for, caller.session, caller.user)
    return types.ListToolsResult(tools=[_tool(tool) for tool in tools])


async def call_tool(ctx: object, params: types.CallToolRequestParams) -> types.CallToolResult:
    """A tool's result; an unknown tool or bad arguments are JSON-RPC errors (invalid params)."""
    caller = _caller.get()
    try:
        answer = await anyio.to_thread.run_sync(
            served_tools.call, caller.session, caller.user, params.name, params.arguments or {}
        )
    except (served_tools.UnknownTool, served_tools.BadArguments) as exc:
        raise MCPError(code=types.INVALID_PARAMS, message=exc.message) from None
    return types.CallToolResult(
        content=[types.TextContent(text=answer.text)],
        structured_content=answer.structured or None,
        is_error=answer.is_error,
    )


SERVER: Server = Server(
    "ainav",
    version=__version__,
    title="ainav",
    instructions=INSTRUCTIONS,
    on_list_tools=list_tools,
    on_call_tool=call_tool,
    # the tools differ per caller and check their own arguments: no listing to validate headers against
    get_tool_input_schema=lambda name: None,
)
# No OpenTelemetry exporter runs here (Powertools and Lambda trace the invocation): skip its spans.
SERVER.middleware.clear()


class McpExchange(Response):
    """The answer of `POST /v1/mcp`, written by the SDK for this caller."""

    def __init__(self, caller: Caller) -> None:
        super().__init__()  # status and headers are the SDK's to write; this keeps Response's attributes
        self.caller = caller

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = _caller.set(self.caller)
        try:
            manager = StreamableHTTPSessionManager(SERVER, json_response=True, stateless=True)
            async with manager.run():
                await manager.handle_request(scope, receive, send)
        finally:
            _caller.reset(token)
