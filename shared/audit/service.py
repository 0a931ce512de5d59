"""Writing and reading the operation log."""

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shared.api.pagination import PageParams, paginate
from shared.audit.models import OperationLog
from shared.audit.schemas import OperationLogFilter
from shared.config import get_utc_now, settings
from shared.search.substring import LIKE_ESCAPE, like_escaped

REDACTED = "[redacted]"
# A parameter whose name says it carries a secret never reaches the log, whatever its value.
SECRET_NAME = re.compile(r"token|password|secret|key|signature|code|state|authorization|credential", re.I)
MAX_VALUE_CHARS = 256
MAX_MESSAGE_CHARS = 1000

STATUS_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


def redact(params: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters fit for the log: secret-named ones replaced, long values cut."""
    return {
        name: REDACTED if SECRET_NAME.search(name) else str(value)[:MAX_VALUE_CHARS]
        for name, value in params.items()
    }


def code_for(status: int) -> str:
    if status < 400:
        return "ok"
    return STATUS_CODES.get(status, "client_error" if status < 500 else "server_error")


def record(session: Session, **entry: Any) -> None:
    """Insert one row and commit it."""
    if entry.get("msg"):
        entry["msg"] = entry["msg"][:MAX_MESSAGE_CHARS]
    entry["path"] = entry["path"][:512]
    session.add(OperationLog(**entry))
    session.commit()


def search(
    *, session: Session, filters: OperationLogFilter, page: PageParams
) -> tuple[list[OperationLog], int]:
    """Newest first, narrowed by every filter given."""
    query = select(OperationLog)
    if filters.user_id is not None:
        query = query.where(OperationLog.user_id == filters.user_id)
    if filters.username:
        query = query.where(OperationLog.username == filters.username)
    if filters.method:
        query = query.where(OperationLog.method == filters.method.upper())
    if filters.path_prefix:
        prefix = like_escaped(filters.path_prefix)
        query = query.where(OperationLog.path.like(f"{prefix}%", escape=LIKE_ESCAPE))
    if filters.status is not None:
        query = query.where(OperationLog.status == filters.status)
    if filters.trace_id:
        query = query.where(OperationLog.trace_id == filters.trace_id)
    if filters.since is not None:
        query = query.where(OperationLog.opera_time >= filters.since)
    if filters.until is not None:
        query = query.where(OperationLog.opera_time < filters.until)
    return paginate(session, query.order_by(OperationLog.opera_time.desc(), OperationLog.id.desc()), page)


def purge_old_entries(session: Session) -> int:
    """Rows older than AUDIT_LOG_RETENTION_DAYS; the caller commits."""
    cutoff = get_utc_now() - timedelta(days=settings.AUDIT_LOG_RETENTION_DAYS)
    return session.execute(delete(OperationLog).where(OperationLog.opera_time < cutoff)).rowcount
