"""Every router a Lambda function serves; `make dev` and the tests serve them all in one app."""

from fastapi import APIRouter

from shared.accounts.router import router as accounts_router
from shared.admin.notices_router import router as notices_router
from shared.admin.router import router as admin_router
from shared.admin.system_router import router as system_router
from shared.agents.router import router as agents_router
from shared.artifacts.router import router as artifacts_router
from shared.audit.router import router as audit_router
from shared.auth.account_router import router as sign_ins_router
from shared.auth.api_keys_router import router as api_keys_router
from shared.auth.router import router as auth_router
from shared.catalog.router import router as catalog_router
from shared.connections.chat_router import router as connections_chat_router
from shared.connections.router import router as connections_router
from shared.executions.router import router as executions_router
from shared.health.router import router as health_router
from shared.interactions.router import router as interactions_router
from shared.llm.router import admin_router as llm_admin_router
from shared.llm.router import router as llm_router
from shared.mcp.router import router as mcp_router
from shared.mcp.settings_router import router as mcp_settings_router
from shared.memory.router import router as memory_router
from shared.profiles.router import router as profiles_router
from shared.projects.router import router as projects_router
from shared.queue.router import router as jobs_router
from shared.tasks.router import router as tasks_router
from shared.users.router import router as users_router
from shared.users.router import search_router as user_search_router
from shared.vault.router import router as vault_router
from shared.webhooks.router import router as webhooks_router
from shared.workflows.router import router as workflows_router

API_ROUTERS: tuple[APIRouter, ...] = (
    health_router,
    auth_router,
    users_router,
    profiles_router,
    user_search_router,
    sign_ins_router,
    accounts_router,
    api_keys_router,
    vault_router,
    workflows_router,
    projects_router,
    webhooks_router,
    executions_router,
    memory_router,
    catalog_router,
    interactions_router,
    audit_router,
    llm_router,
    agents_router,
    mcp_router,
    mcp_settings_router,
    connections_router,
    connections_chat_router,
    admin_router,
    notices_router,
    system_router,
    llm_admin_router,
    artifacts_router,
    tasks_router,
    jobs_router,
)
