import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from shared.config import settings
from shared.tasks.models import LogLevel, TaskPriority

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(max_length=10_000)]


class TaskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    intent: str = Field(description="what the task is to do, in the user's words (1 to 4,000 characters)")
    title: Title | None = Field(None, description="defaults to the start of the intent")
    description: Description | None = None
    priority: TaskPriority = TaskPriority.MEDIUM
    auto_start: bool = Field(True, description="start the run as soon as the plan is made")

    @field_validator("intent")
    @classmethod
    def intent_is_said(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be empty")
        if len(value) > settings.TASK_INTENT_MAX_CHARS:
            raise ValueError(f"must be at most {settings.TASK_INTENT_MAX_CHARS} characters")
        return value


class TaskUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: Description | None = None
    priority: TaskPriority | None = None


class TaskPublic(BaseModel):
    """Every field of seed 004's Task, with the workflow compiled from its plan and its current run."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    user_id: uuid.UUID
    title: str
    description: str | None
    intent: str
    status: str
    priority: str
    auto_start: bool
    plan: dict[str, Any] | None
    current_step: int
    total_steps: int
    result: dict[str, Any] | None
    error: str | None
    workflow_id: uuid.UUID | None
    execution_id: uuid.UUID | None
    started_at: datetime | None
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class TaskLogPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    task_id: uuid.UUID
    level: LogLevel
    message: str
    step: int | None
    metadata: dict[str, Any] = Field(validation_alias="log_metadata")
    timestamp: datetime
