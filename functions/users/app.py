"""UsersFunction: /v1/users/me (account, profile, settings, password, sign-ins, sign-in history, linked
providers, export, deletion, API keys, secrets, credits, usage, provider keys, MCP settings),
/v1/users/search and /v1/llm/models."""

from aws_lambda_powertools import Logger, Metrics

from shared.accounts.router import router as accounts_router
from shared.api.app import create_app
from shared.api.lambda_adapter import make_http_handler
from shared.auth.account_router import router as sign_ins_router
from shared.auth.api_keys_router import router as api_keys_router
from shared.llm.router import router as llm_router
from shared.mcp.settings_router import router as mcp_settings_router
from shared.profiles.router import router as profiles_router
from shared.users.router import router as users_router
from shared.users.router import search_router as user_search_router
from shared.vault.router import router as vault_router

logger = Logger()
metrics = Metrics()

app = create_app(
    users_router,
    profiles_router,
    user_search_router,
    sign_ins_router,
    accounts_router,
    api_keys_router,
    vault_router,
    llm_router,
    mcp_settings_router,
    title="ainav users",
)
handler = make_http_handler(app, logger=logger, metrics=metrics)
