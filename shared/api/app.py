"""`create_app(*routers)`: the FastAPI app of one Lambda function, or of all of them in `make dev`."""

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from shared import __version__
from shared.api.errors import install_exception_handlers
from shared.api.request_id import RequestIdMiddleware
from shared.api.security import BodySizeLimitMiddleware, SecurityHeadersMiddleware
from shared.audit.middleware import AuditLogMiddleware
from shared.config import settings

API_PREFIX = "/v1"


def create_app(*routers: APIRouter, title: str = "ainav") -> FastAPI:
    """An app serving the given routers under /v1, with the error mapping and, from the outside in:
    request ids, security headers, CORS, the body-size cap and the operation log."""
    settings.validate_security_settings()
    app = FastAPI(
        title=title,
        version=__version__,
        description="Serverless backend of the AI Navigator (AI导航).",
        openapi_url="/openapi.json",
    )
    for router in routers:
        app.include_router(router, prefix=API_PREFIX)
    install_exception_handlers(app)
    app.add_middleware(AuditLogMiddleware)  # the last added runs first: this one is innermost
    app.add_middleware(BodySizeLimitMiddleware)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.CORS_ORIGINS,
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "X-API-Key", "X-Request-ID", "X-Ainav-Signature"],
        expose_headers=["X-Request-ID", "Retry-After"],
    )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestIdMiddleware)
    return app
