"""Every router a Lambda function serves; `make dev` and the tests serve them all in one app."""

from fastapi import APIRouter

from shared.agents.router import router as agents_router
from shared.artifacts.router import router as artifacts_router
from shared.audit.router import router as audit_router
from shared.auth.api_keys_router import router as api_keys_router
from shared.auth.router import router as auth_router
from shared.catalog.router import router as catalog_router
from shared.executions.router import router as executions_router
from shared.health.router import router as health_router
from shared.interactions.router import router as interactions_router
from shared.llm.router import router as llm_router
from shared.memory.router import router as memory_router
from shared.queue.router import router as jobs_router
from shared.tasks.router import router as tasks_router
from shared.users.router import router as users_router
from shared.vault.router import router as vault_router
from shared.webhooks.router import router as webhooks_router
from shared.workflows.router import router as workflows_router

API_ROUTERS: tuple[APIRouter, ...] = (
    health_router,
    auth_router,
    users_router,
    api_keys_router,
    vault_router,
    workflows_router,
    webhooks_router,
    executions_router,
    memory_router,
    catalog_router,
    interactions_router,
    audit_router,
    llm_router,
    agents_router,
    artifacts_router,
    tasks_router,
    jobs_router,
)
