"""Request and response bodies of /v1/projects."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from shared.projects.models import DEFAULT_COLOR, DEFAULT_ICON

COLOR_PATTERN = r"^#[0-9A-Fa-f]{6}$"
MAX_SORT_ORDER = 1_000_000

Name = Annotated[str, StringConstraints(min_length=1, max_length=255, strip_whitespace=True)]
Description = Annotated[str, StringConstraints(max_length=2000)]
Icon = Annotated[
    str,
    StringConstraints(min_length=1, max_length=50, strip_whitespace=True),
    Field(description="an icon name of the frontend's set", examples=["folder"]),
]
# the pattern, never the refused value, is what a 422 names (shared.api.errors drops the input)
Color = Annotated[
    str,
    StringConstraints(pattern=COLOR_PATTERN),
    AfterValidator(str.lower),
    Field(description="#RRGGBB", examples=["#f97316"]),
]
SortOrder = Annotated[int, Field(ge=-MAX_SORT_ORDER, le=MAX_SORT_ORDER, description="lower first")]


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    description: Description | None = None
    icon: Icon = DEFAULT_ICON
    color: Color = DEFAULT_COLOR
    sort_order: SortOrder = 0


class ProjectUpdate(BaseModel):
    """A partial change; `description` may be cleared with null, the others may not."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    description: Description | None = None
    icon: Icon | None = None
    color: Color | None = None
    sort_order: SortOrder | None = None


class ProjectPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    description: str | None
    icon: str
    color: str
    is_default: bool = Field(description="the account's default project: it cannot be deleted")
    is_archived: bool = Field(description="deleted (archived); restore with POST /v1/projects/{id}/restore")
    sort_order: int
    created_at: datetime
    updated_at: datetime
