"""What `GET /v1/admin/audit-log` answers and accepts."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class OperationLogPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    trace_id: str
    user_id: uuid.UUID | None
    username: str | None
    method: str
    title: str
    path: str
    ip: str | None
    args: dict[str, Any]
    status: int
    code: str
    msg: str | None
    cost_time: float
    opera_time: datetime


class OperationLogFilter(BaseModel):
    user_id: uuid.UUID | None = None
    username: str | None = None
    method: str | None = None
    path_prefix: str | None = None
    status: int | None = None
    trace_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
