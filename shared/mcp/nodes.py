"""The `mcp` node of workflow graphs: `{"server_id", "tool", "arguments": {name: template}}` →
`{"text", "content", "is_error", "structured"?}`. It calls one tool of one of the owner's MCP servers,
within the node's timeout (retried as http nodes are: timeouts, 429 and 5xx), with the server's
headers, which never reach the log or the output."""

from typing import Any

from sqlalchemy.orm import Session

from shared.catalog.skill_calls import coerce_to_schema
from shared.engine.context import RunContext
from shared.engine.errors import NodeError
from shared.engine.registry import executor
from shared.mcp import client
from shared.mcp import service as mcp_service

MAX_TOOLS_NAMED = 20


@executor("mcp")
def run_mcp(data: dict[str, Any], ctx: RunContext, session: Session, timeout: float) -> tuple[dict, Any]:
    server = mcp_service.owned_server(session, ctx.owner_id, data["server_id"])
    if server is None:
        raise NodeError(f"MCP server {data['server_id']} does not exist or is not the workflow owner's")
    problem = mcp_service.unusable(server)
    if problem is not None:
        raise NodeError(problem)
    tool = data["tool"]
    listed = mcp_service.tool_of(server, tool)
    if server.tools is not None and listed is None:
        offered = ", ".join(t["name"] for t in server.tools[:MAX_TOOLS_NAMED]) or "none"
        raise NodeError(
            f"the MCP server {server.name!r} does not offer the tool {tool!r} (it offers: {offered})"
        )
    arguments = ctx.render_map(data.get("arguments") or {}, "data.arguments")
    # rendered arguments are strings: numbers and booleans go back to what the tool's schema expects
    arguments = coerce_to_schema(arguments, (listed or {}).get("inputSchema") or {})
    ctx.api_calls += 1
    target = mcp_service.target_of(server)
    outcome = client.call_tool(target, tool, arguments, timeout=timeout, check_offered=server.tools is None)
    return {"server": server.name, "tool": tool, "arguments": arguments}, outcome.output()
