"""/v1/admin/audit-log: the operation log, for holders of audit:read (AdminFunction)."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from shared.admin.dependencies import Auditor
from shared.api.pagination import Page, PageDep
from shared.api.responses import error_responses
from shared.audit import service as audit_service
from shared.audit.schemas import OperationLogFilter, OperationLogPublic
from shared.db import SessionDep

router = APIRouter(prefix="/admin", tags=["admin"])


@router.get("/audit-log", response_model=Page[OperationLogPublic], responses=error_responses(401, 403, 422))
def read_audit_log(
    _: Auditor,
    session: SessionDep,
    page: PageDep,
    user_id: uuid.UUID | None = None,
    username: Annotated[str | None, Query(max_length=50)] = None,
    method: Literal["POST", "PUT", "PATCH", "DELETE"] | None = None,
    path_prefix: Annotated[str | None, Query(max_length=512)] = None,
    status: Annotated[int | None, Query(ge=100, le=599)] = None,
    trace_id: Annotated[str | None, Query(max_length=128)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[OperationLogPublic]:
    """Mutating requests, newest first; every filter narrows the list."""
    filters = OperationLogFilter(
        user_id=user_id,
        username=username,
        method=method,
        path_prefix=path_prefix,
        status=status,
        trace_id=trace_id,
        since=since,
        until=until,
    )
    rows, total = audit_service.search(session=session, filters=filters, page=page)
    return Page.of([OperationLogPublic.model_validate(row) for row in rows], total, page)
