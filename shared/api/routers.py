"""Every router a Lambda function serves; `make dev` and the tests serve them all in one app."""

from fastapi import APIRouter

from shared.health.router import router as health_router

API_ROUTERS: tuple[APIRouter, ...] = (health_router,)
