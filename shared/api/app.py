"""`create_app(*routers)`: the FastAPI app of one Lambda function, or of all of them in `make dev`."""

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from shared import __version__
from shared.api.docs import install_offline_docs
from shared.api.errors import install_exception_handlers
from shared.api.request_id import RequestIdMiddleware
from shared.api.security import BodySizeLimitMiddleware, SecurityHeadersMiddleware
from shared.audit.middleware import AuditLogMiddleware
from shared.config import settings
from shared.db import SessionSource, get_db

API_PREFIX = "/v1"


def create_app(*routers: APIRouter, title: str = "ainav", sessions: SessionSource = get_db) -> FastAPI:
    """An app serving the given routers under /v1, with the error mapping and, from the outside in:
    request ids, security headers, CORS, the operation log and the body-size cap (outside the cap, so a
    413 is logged like any refused request). Its routes and its operation log take their database
    sessions from `sessions` (a test passes its own)."""
    settings.validate_security_settings()
    app = FastAPI(
        title=title,
        version=__version__,
        description="Serverless backend of the AI Navigator (AI导航).",
        openapi_url="/openapi.json",
        docs_url=None,  # FastAPI's own docs load Swagger UI and ReDoc from a CDN
        redoc_url=None,
    )
    install_offline_docs(app)
    for router in routers:
        app.include_router(router, prefix=API_PREFIX)
    if sessions is not get_db:
        app.dependency_overrides[get_db] = sessions
    install_exception_handlers(app)
    app.add_middleware(BodySizeLimitMiddleware)  # the last added runs first: this one is innermost
    app.add_middleware(AuditLogMiddleware, sessions=sessions)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.CORS_ORIGINS,
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=[
            "Authorization",
            "Content-Type",
            "X-API-Key",
            "X-Request-ID",
            "X-Ainav-Signature",
            "Mcp-Protocol-Version",  # MCP clients in browsers (/v1/mcp)
        ],
        expose_headers=["X-Request-ID", "Retry-After"],
    )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestIdMiddleware)
    return app
