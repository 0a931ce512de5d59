"""Route dependencies that hand routes an MCP server of the caller's."""

import uuid
from typing import Annotated

from fastapi import Depends

from shared.auth.dependencies import CurrentUser
from shared.db import SessionDep
from shared.mcp import service as mcp_service
from shared.mcp.models import McpServer


def owned_server(server_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> McpServer:
    return mcp_service.get_owned(session=session, server_id=server_id, user=user)


OwnedMcpServer = Annotated[McpServer, Depends(owned_server)]
