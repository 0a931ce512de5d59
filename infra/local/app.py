"""The single app of `make dev`: every function's routers plus the local-only routes."""

from fastapi import FastAPI

from infra.local.outbox import Outbox, build_outbox_router
from shared.api.app import create_app
from shared.api.routers import API_ROUTERS


def build_local_app(outbox: Outbox) -> FastAPI:
    app = create_app(*API_ROUTERS, title="ainav (local)")
    app.include_router(build_outbox_router(outbox))
    return app
