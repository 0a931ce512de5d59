import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.llm.schemas import Credits


class ExecutionPublic(BaseModel):
    """Every AgentExecution field of seed 000, plus the pinned version and what it retries."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    workflow_id: uuid.UUID
    user_id: uuid.UUID
    workflow_version: int
    status: str
    input_data: dict[str, Any]
    output_data: dict[str, Any] | None
    error_message: str | None
    execution_log: list[dict[str, Any]]
    token_usage: int
    credits_used: Credits
    total_api_calls: int
    duration_ms: int | None
    trigger_type: str
    trigger_metadata: dict[str, Any]
    scheduled_at: datetime | None
    retry_of_id: uuid.UUID | None
    task_id: uuid.UUID | None = Field(None, description="the task whose run this is, if any")
    cancel_requested_at: datetime | None
    pause_requested_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ToolCallPublic(BaseModel):
    """Seed 004's ToolExecution: one call of a skill, an HTTP endpoint, an MCP tool, a model or an agent."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    execution_id: uuid.UUID | None
    task_id: uuid.UUID | None
    node_id: str | None
    tool_type: str
    tool: str
    skill_id: uuid.UUID | None
    attempt: int
    input: Any
    output: Any
    error: str | None
    status: str
    duration_ms: float | None
    started_at: datetime | None
    completed_at: datetime | None
