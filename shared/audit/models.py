"""`operation_logs`: one row per mutating API request (seed 001 `sys_opera_log`)."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Float, ForeignKey, Identity, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from shared.orm import Base


class OperationLog(Base):
    __tablename__ = "operation_logs"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    trace_id: Mapped[str] = mapped_column(String(128), index=True)  # the request id
    # The user survives as a name when the account is deleted: the log outlives what it describes.
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    username: Mapped[str | None] = mapped_column(String(50))
    method: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(256))  # the route's name, e.g. create_workflow
    path: Mapped[str] = mapped_column(String(512))
    ip: Mapped[str | None] = mapped_column(String(128))
    # Path and query parameters with secrets redacted; bodies are never stored (passwords, keys).
    args: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    status: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(32))  # ok, not_found, rate_limited, ...
    msg: Mapped[str | None] = mapped_column(Text)
    cost_time: Mapped[float] = mapped_column(Float)  # milliseconds
    opera_time: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False, index=True
    )


# The models named above by foreign key or relationship (see shared/orm.py).
import shared.users.models  # noqa: E402, F401
