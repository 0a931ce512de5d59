"""AdminFunction: /v1/admin (roles, users, sign-in log, operation log, notices, runtime settings, stats,
usage, credit grants) and /v1/notices."""

from aws_lambda_powertools import Logger, Metrics

from shared.admin.notices_router import router as notices_router
from shared.admin.router import router as admin_router
from shared.admin.system_router import router as system_router
from shared.api.app import create_app
from shared.api.lambda_adapter import make_http_handler
from shared.audit.router import router as audit_router
from shared.llm.router import admin_router as llm_admin_router

logger = Logger()
metrics = Metrics()

app = create_app(
    admin_router, notices_router, system_router, audit_router, llm_admin_router, title="ainav admin"
)
handler = make_http_handler(app, logger=logger, metrics=metrics)
