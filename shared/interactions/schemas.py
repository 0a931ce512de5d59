"""Bodies of /v1/interactions."""

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.catalog.schemas import ToolPublic

ItemType = Literal["tool", "workflow"]
Action = Literal["view", "click", "run", "like", "fork"]


class InteractionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_type: ItemType
    item_id: uuid.UUID
    action: Action
    meta_data: dict[str, Any] = Field(default_factory=dict, description="e.g. {search_query, referral}")


class InteractionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    item_type: str
    item_id: uuid.UUID
    action: str
    weight: float
    meta_data: dict[str, Any]
    created_at: datetime


class Recommendation(ToolPublic):
    score: float
    reason: str


class TrendingItem(BaseModel):
    item_type: ItemType
    item_id: uuid.UUID
    slug: str
    name: str
    name_zh: str | None
    score: float = Field(description="interaction weights decayed by age, last 7 days")
