"""The single app of `make dev`: every function's routers plus the local-only routes (the mail outbox,
and connecting the demo database)."""

from fastapi import APIRouter, FastAPI, status
from sqlalchemy.engine import make_url

from infra.local.outbox import Outbox, build_outbox_router
from shared.api.app import create_app
from shared.api.responses import error_responses
from shared.api.routers import API_ROUTERS
from shared.auth.dependencies import CurrentUser
from shared.connections import service as connection_service
from shared.connections.router import to_public
from shared.connections.schemas import ConnectionPublic
from shared.db import SessionDep


def build_demo_router(demo_url: str) -> APIRouter:
    """`POST /_local/demo-connection`: the signed-in user's connection to the demo shop database of the
    embedded PostgreSQL (its unix socket is a target in development only), analysed like any other."""
    router = APIRouter(prefix="/_local", tags=["local"])
    demo = make_url(demo_url)

    @router.post(
        "/demo-connection",
        status_code=status.HTTP_201_CREATED,
        response_model=ConnectionPublic,
        responses=error_responses(401, 422, 429),
        summary="Connect the demo shop database (development only)",
    )
    def connect_demo_database(user: CurrentUser, session: SessionDep) -> ConnectionPublic:
        fields = {
            "name": "Demo shop",
            "description": "An online shop: customers, orders, products, stock, payments, shipments, staff",
            "host": str(demo.query.get("host") or demo.host),
            "port": demo.port or 5432,
            "database": demo.database,
            "username": demo.username or "postgres",
            "password": demo.password or None,
            "ssl_mode": "prefer",
        }
        return to_public(connection_service.create(session, user=user, fields=fields))

    return router


def build_local_app(outbox: Outbox, demo_url: str | None = None) -> FastAPI:
    app = create_app(*API_ROUTERS, title="ainav (local)")
    app.include_router(build_outbox_router(outbox))
    if demo_url is not None:
        app.include_router(build_demo_router(demo_url))
    return app
