"""Request and response bodies of /v1/workflows."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.config import settings
from shared.workflows.models import starter_graph

TriggerType = Literal["manual", "schedule", "webhook"]
Name = Annotated[str, StringConstraints(min_length=1, max_length=255, strip_whitespace=True)]
Text = Annotated[str, StringConstraints(max_length=20_000)]
Temperature = Annotated[float, Field(ge=0, le=2)]
SortOrder = Literal["stars", "forks", "runs", "newest"]
ModelName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Provider = Annotated[
    str,
    StringConstraints(min_length=1, max_length=32),
    Field(description="run llm nodes on your own key for this provider (not charged); none: the platform's"),
]


ProjectId = Annotated[uuid.UUID, Field(description="one of your projects (not archived); null: none")]


class WorkflowFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    project_id: ProjectId | None = None
    name_zh: Annotated[str, StringConstraints(max_length=255)] | None = None
    description: Text | None = None
    description_zh: Text | None = None
    icon: Annotated[str, StringConstraints(max_length=100)] | None = None
    system_prompt: Text | None = None
    llm_provider: Provider | None = None
    is_public: bool = False
    is_template: bool = False
    notify_on_success: bool = False
    mcp_enabled: bool = Field(False, description="offer it as a tool of your MCP endpoint (/v1/mcp)")


class WorkflowCreate(WorkflowFields):
    name: Name
    graph_json: dict[str, Any] = Field(
        default_factory=starter_graph, description="React Flow export {nodes, edges, viewport}"
    )
    trigger_type: TriggerType = "manual"
    trigger_config: dict[str, Any] = Field(
        default_factory=dict,
        description="a schedule's {cron, timezone, enabled, input}; timezone defaults to your profile's",
    )
    input_schema: dict[str, Any] = Field(default_factory=dict, description="JSON Schema of a run's input")
    llm_model: ModelName = Field(default_factory=lambda: settings.LLM_DEFAULT_MODEL)
    temperature: Temperature = 0.7


class WorkflowUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    project_id: ProjectId | None = None
    name_zh: Annotated[str, StringConstraints(max_length=255)] | None = None
    description: Text | None = None
    description_zh: Text | None = None
    icon: Annotated[str, StringConstraints(max_length=100)] | None = None
    system_prompt: Text | None = None
    llm_provider: Provider | None = None
    is_public: bool | None = None
    is_template: bool | None = None
    notify_on_success: bool | None = None
    mcp_enabled: bool | None = None
    graph_json: dict[str, Any] | None = None
    trigger_type: TriggerType | None = None
    trigger_config: dict[str, Any] | None = None
    input_schema: dict[str, Any] | None = None
    llm_model: ModelName | None = None
    temperature: Temperature | None = None
    regenerate_webhook_secret: bool = Field(
        False, description="issue a new webhook secret (webhook trigger only)"
    )


class WorkflowPublic(BaseModel):
    """Every AgentWorkflow field of seed 000, plus the next fire times of a schedule."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    user_id: uuid.UUID
    project_id: uuid.UUID | None
    name: str
    name_zh: str | None
    slug: str
    description: str | None
    description_zh: str | None
    icon: str | None
    graph_json: dict[str, Any]
    trigger_type: str
    trigger_config: dict[str, Any]
    input_schema: dict[str, Any]
    llm_model: str
    llm_provider: str | None
    system_prompt: str | None
    temperature: float
    is_public: bool
    is_template: bool
    notify_on_success: bool
    mcp_enabled: bool
    forked_from_id: uuid.UUID | None
    fork_count: int
    run_count: int
    star_count: int
    version: int
    version_history: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime
    next_fire_times: list[datetime] = Field(default_factory=list)
    webhook_url: str | None = None
    webhook_secret: str | None = Field(
        None, description="only in the response that enabled or regenerated it"
    )


class WorkflowVersionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    changes: list[str]
    snapshot: dict[str, Any]
    created_at: datetime


class RunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input: dict[str, Any] = Field(default_factory=dict)


class StarStatus(BaseModel):
    starred: bool
    star_count: int
