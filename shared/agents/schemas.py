"""Request and response bodies of agents, conversations and chat."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.config import settings

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
Answer = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Color = Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$")]
Icon = Annotated[str, StringConstraints(min_length=1, max_length=50)]
AvatarUrl = Annotated[str, StringConstraints(pattern=r"^https?://", max_length=500)]
ModelName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Temperature = Annotated[float, Field(ge=0, le=2)]


class WorkflowTool(BaseModel):
    """One of the owner's workflows, run with the model's arguments as its input."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["workflow"]
    workflow_id: uuid.UUID


class SkillTool(BaseModel):
    """A catalog skill, called with the model's arguments as its parameters."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["skill"]
    skill_id: uuid.UUID


class MemoryTool(BaseModel):
    """A search of one of the owner's workflows' memory."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["memory"]
    workflow_id: uuid.UUID


class McpTool(BaseModel):
    """One tool of one of the owner's MCP servers, or, without `tool`, every tool it offers."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["mcp"]
    server_id: uuid.UUID
    tool: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None


ToolSpec = Annotated[WorkflowTool | SkillTool | MemoryTool | McpTool, Field(discriminator="type")]
Tools = Annotated[list[ToolSpec], Field(max_length=16)]


class AgentCreate(BaseModel):
    """The wizard's three answers (who it is, its rules, its tricks) and how it looks and thinks."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    qa_who: Answer
    qa_rules: Answer
    qa_tricks: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)] = ""
    description: Annotated[str, StringConstraints(max_length=2000)] | None = None
    project_id: uuid.UUID | None = None
    icon: Icon = "bot"
    color: Color = "#7C3AED"
    avatar_url: AvatarUrl | None = None
    model: ModelName | None = None
    temperature: Temperature = 0.7
    tools: Tools = Field(default_factory=list)
    is_published: bool = False
    is_public_chat: bool = False


class AgentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    qa_who: Answer | None = None
    qa_rules: Answer | None = None
    qa_tricks: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)] | None = None
    system_prompt: Annotated[str, StringConstraints(min_length=1, max_length=20_000)] | None = Field(
        None, description="replaces the generated prompt; a change of the answers generates it again"
    )
    description: Annotated[str, StringConstraints(max_length=2000)] | None = None
    project_id: uuid.UUID | None = None
    icon: Icon | None = None
    color: Color | None = None
    avatar_url: AvatarUrl | None = None
    model: ModelName | None = None
    temperature: Temperature | None = None
    tools: Tools | None = None
    is_published: bool | None = None
    is_public_chat: bool | None = None
    is_active: bool | None = None


class AgentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    user_id: uuid.UUID
    project_id: uuid.UUID | None
    name: str
    description: str | None
    icon: str
    color: str
    avatar_url: str | None
    qa_who: str
    qa_rules: str
    qa_tricks: str
    system_prompt: str
    model: str | None
    temperature: float
    tools: list[dict[str, Any]]
    is_published: bool
    is_public_chat: bool
    is_active: bool
    created_at: datetime
    updated_at: datetime


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=settings.MAX_CHAT_MESSAGE_CHARS),
    ]
    conversation_id: uuid.UUID | None = None


class MessagePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    role: str
    content: str
    status: str
    message_metadata: dict[str, Any]
    created_at: datetime


class ChatAnswer(BaseModel):
    """200: the answer; 202: the pending assistant message the worker finishes (poll the conversation)."""

    conversation_id: uuid.UUID
    message: MessagePublic


class ConversationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    agent_id: uuid.UUID | None
    workflow_id: uuid.UUID | None
    project_id: uuid.UUID | None
    title: str | None
    created_at: datetime
    updated_at: datetime


class ConversationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Name
