"""/v1/mcp-servers (the caller's remote MCP servers) and /v1/mcp (ainav's own MCP endpoint). Served by
McpFunction."""

import uuid

from fastapi import APIRouter, Response, status

from shared.api.pagination import Page, PageDep
from shared.api.responses import JSON_BODY, error_responses
from shared.auth.dependencies import CurrentUser
from shared.db import SessionDep
from shared.mcp import endpoint
from shared.mcp import service as mcp_service
from shared.mcp.dependencies import OwnedMcpServer
from shared.mcp.schemas import McpServerCreate, McpServerPublic, McpServerUpdate, McpToolPage, McpToolPublic

router = APIRouter(tags=["mcp"])


@router.get("/mcp-servers", response_model=Page[McpServerPublic], responses=error_responses(401, 422))
def list_servers(
    user: CurrentUser, session: SessionDep, page: PageDep, project_id: uuid.UUID | None = None
) -> Page[McpServerPublic]:
    items, total = mcp_service.list_servers(session=session, user=user, page=page, project_id=project_id)
    return Page.of([mcp_service.to_public(item) for item in items], total, page)


@router.post(
    "/mcp-servers",
    status_code=status.HTTP_201_CREATED,
    response_model=McpServerPublic,
    responses=error_responses(401, 409, 429, *JSON_BODY),
)
def create_server(body: McpServerCreate, user: CurrentUser, session: SessionDep) -> McpServerPublic:
    """Register a server; an http one is checked in the background (its tools and health follow)."""
    return mcp_service.to_public(mcp_service.create_server(session=session, user=user, request=body))


@router.get(
    "/mcp-servers/{server_id}", response_model=McpServerPublic, responses=error_responses(401, 404, 422)
)
def read_server(server: OwnedMcpServer) -> McpServerPublic:
    return mcp_service.to_public(server)


@router.patch(
    "/mcp-servers/{server_id}",
    response_model=McpServerPublic,
    responses=error_responses(401, 404, 409, *JSON_BODY),
)
def update_server(body: McpServerUpdate, server: OwnedMcpServer, session: SessionDep) -> McpServerPublic:
    return mcp_service.to_public(mcp_service.update_server(session=session, server=server, request=body))


@router.delete(
    "/mcp-servers/{server_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 404, 409, 422),
)
def delete_server(server: OwnedMcpServer, session: SessionDep) -> None:
    mcp_service.delete_server(session=session, server=server)


@router.post(
    "/mcp-servers/{server_id}/check",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=McpServerPublic,
    responses=error_responses(401, 404, 422),
)
def check_server(server: OwnedMcpServer, session: SessionDep) -> McpServerPublic:
    """Check the server again in the background: connect, list its tools, record its health."""
    return mcp_service.to_public(mcp_service.request_check(session=session, server=server))


@router.get(
    "/mcp-servers/{server_id}/tools", response_model=McpToolPage, responses=error_responses(401, 404, 422)
)
def list_server_tools(server: OwnedMcpServer, page: PageDep) -> McpToolPage:
    """The tools the server's last successful check listed."""
    tools = server.tools or []
    window = tools[page.offset : page.offset + page.page_size]
    return McpToolPage(
        items=[
            McpToolPublic(
                name=tool["name"],
                title=tool.get("title"),
                description=tool.get("description"),
                input_schema=tool.get("inputSchema") or {},
                annotations=tool.get("annotations"),
            )
            for tool in window
        ],
        total=len(tools),
        page=page.page,
        page_size=page.page_size,
        known=server.tools is not None,
        health_status=server.health_status,  # type: ignore[arg-type]
        last_health_check=server.last_health_check,
    )


@router.post("/mcp", include_in_schema=False)
async def mcp_endpoint(user: CurrentUser, session: SessionDep) -> Response:
    """MCP Streamable HTTP, stateless, JSON responses (see shared.mcp.endpoint and docs/mcp.md): a
    protocol of its own, described by the MCP specification rather than this OpenAPI schema. GET and
    DELETE answer 405: there is no stream to open and no session to end. Async, as it only hands the
    request to the SDK (no thread hop); the tools' database work runs in a worker thread."""
    return endpoint.McpExchange(endpoint.Caller(user=user, session=session))
