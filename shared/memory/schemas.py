"""Request and response bodies of /v1/workflows/{id}/memories."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from shared.config import settings

ContentType = Literal["conversation", "document", "fact", "summary"]


class MemoryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: Annotated[str, StringConstraints(min_length=1, max_length=settings.MEMORY_DOCUMENT_MAX_CHARS)]
    content_type: ContentType = "fact"
    meta_data: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def only_documents_may_be_long(self) -> "MemoryCreate":
        if self.content_type != "document" and len(self.content) > settings.MEMORY_MAX_CHARS:
            raise ValueError(
                f"content is {len(self.content)} characters; the limit is {settings.MEMORY_MAX_CHARS} "
                "(content_type document is split into chunks instead)"
            )
        if not self.content.strip():
            raise ValueError("content is blank")
        return self


class MemoryBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: Annotated[list[MemoryCreate], Field(min_length=1, max_length=settings.MEMORY_MAX_ITEMS)]


class MemoryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    workflow_id: uuid.UUID
    content: str
    content_type: str
    meta_data: dict[str, Any]
    embedding_model: str | None
    created_at: datetime


class MemoriesCreated(BaseModel):
    ids: list[uuid.UUID]
    count: int


class MemorySearchHit(BaseModel):
    id: uuid.UUID
    content: str
    content_type: str
    meta_data: dict[str, Any]
    score: float = Field(description="cosine similarity, 1 is identical")


class MemorySearchResults(BaseModel):
    items: list[MemorySearchHit]
    total: int
    page: int = 1
    page_size: int
