import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class QueueJobPublic(BaseModel):
    """Seed 004's QueueJob: the message's redacted `data`, never its sent body."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    queue: str
    message_id: str | None
    type: str
    reference: str | None
    task_id: uuid.UUID | None
    data: dict[str, Any]
    status: str
    progress: int
    attempts: int
    max_attempts: int
    redrives: int
    error: str | None
    result: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    failed_at: datetime | None
