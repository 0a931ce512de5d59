import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class ArtifactPublic(BaseModel):
    """Seed 004's TaskArtifact, with a presigned `download_url` (ARTIFACT_URL_TTL_SECONDS) in place of the
    object's key."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    execution_id: uuid.UUID
    task_id: uuid.UUID | None
    node_id: str
    type: str
    name: str
    description: str | None
    size: int
    mime_type: str
    checksum: str = Field(description="SHA-256 of the content, hex")
    created_at: datetime
    download_url: str
    expires_in: int = Field(description="seconds the download URL is honoured")
