"""/v1/users/me/mcp-settings: the caller's MCP settings of client tools, and the config file each tool
expects. Served by UsersFunction (it lives under /v1/users); imports no MCP SDK."""

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status

from shared.api.pagination import Page, PageDep
from shared.api.responses import JSON_BODY, error_responses
from shared.auth.dependencies import CurrentUser
from shared.config import settings
from shared.db import SessionDep
from shared.mcp import tool_settings
from shared.mcp.schemas import McpSettingPublic, McpSettingWrite

router = APIRouter(prefix="/users/me/mcp-settings", tags=["mcp"])
ToolType = Annotated[
    str, Path(min_length=1, max_length=64, description="claude_code, codex, cursor or custom:<slug>")
]
EXPORT_RESPONSES: dict[int | str, dict] = {
    200: {
        "description": "The tool's config file: JSON `{mcpServers: {...}}` (Codex: TOML `[mcp_servers.*]`)",
        "content": {"application/json": {"schema": {"type": "object"}}, "application/toml": {"schema": {}}},
    },
    **error_responses(401, 422),
}


@router.get("", response_model=Page[McpSettingPublic], responses=error_responses(401, 422))
def list_settings(user: CurrentUser, session: SessionDep, page: PageDep) -> Page[McpSettingPublic]:
    items, total = tool_settings.list_settings(session, user_id=user.id, page=page)
    return Page.of([tool_settings.to_public(item) for item in items], total, page)


@router.put(
    "/{tool_type}",
    response_model=McpSettingPublic,
    responses={
        201: {"description": "Stored (new)", "model": McpSettingPublic},
        **error_responses(401, 409, 413, *JSON_BODY),
    },
)
def put_setting(
    tool_type: ToolType, body: McpSettingWrite, user: CurrentUser, session: SessionDep, response: Response
) -> McpSettingPublic:
    """Store your MCP setting of a tool: its own `mcpServers`, its credentials (`auth_json`, never shown
    again), metadata and where a sandbox keeps the credentials."""
    stored, created = tool_settings.put_setting(session, user_id=user.id, tool_type=tool_type, request=body)
    if created:
        response.status_code = status.HTTP_201_CREATED
    return tool_settings.to_public(stored)


@router.delete(
    "/{tool_type}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 404, 422)
)
def delete_setting(tool_type: ToolType, user: CurrentUser, session: SessionDep) -> None:
    tool_settings.delete_setting(session, user_id=user.id, tool_type=tool_type)


@router.get("/{tool_type}/export", response_class=Response, responses=EXPORT_RESPONSES)
def export_setting(tool_type: ToolType, user: CurrentUser, session: SessionDep, request: Request) -> Response:
    """The config file the tool reads, with your enabled MCP servers and ainav's own MCP endpoint; secret
    values are references to environment variables (`AINAV_API_KEY` for ainav's), never the secrets."""
    exported = tool_settings.export(
        session,
        user_id=user.id,
        tool_type=tool_type,
        api_base_url=settings.API_BASE_URL or str(request.base_url),
    )
    return Response(
        exported.content,
        media_type=exported.media_type,
        headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'},
    )
