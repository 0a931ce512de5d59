"""Request and response bodies of /v1/catalog."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from shared.json_schema import check_schema

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=100)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=255, strip_whitespace=True)]
# categories, scenarios and skills keep names of at most 100 characters (tools 255)
ShortName = Annotated[str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]
PricingType = Literal["free", "freemium", "paid"]
HttpMethod = Literal["GET", "POST", "PUT", "DELETE", "PATCH"]
ToolSort = Literal["rating", "stars", "newest", "name"]
# auth_config says where a credential goes, never what it is
AUTH_CONFIG_PUBLIC_KEYS = ("header", "prefix", "env_var", "query_param")


def http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")) or len(value) > 512 or " " in value:
        raise ValueError("must be an http(s) URL of at most 512 characters")
    return value


def json_schema(value: dict[str, Any]) -> dict[str, Any]:
    check_schema(value)
    return value


Url = Annotated[str, AfterValidator(http_url)]
JsonSchema = Annotated[dict[str, Any], AfterValidator(json_schema)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CategoryWrite(Strict):
    slug: Slug
    name: ShortName
    name_zh: Annotated[str, StringConstraints(max_length=100)] | None = None
    description: str | None = None
    icon: Annotated[str, StringConstraints(max_length=255)] | None = None
    order: int = 0


class CategoryUpdate(Strict):
    slug: Slug | None = None
    name: ShortName | None = None
    name_zh: Annotated[str, StringConstraints(max_length=100)] | None = None
    description: str | None = None
    icon: Annotated[str, StringConstraints(max_length=255)] | None = None
    order: int | None = None


class CategoryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    slug: str
    name: str
    name_zh: str | None
    description: str | None
    icon: str | None
    order: int


class ScenarioWrite(Strict):
    slug: Slug
    name: ShortName
    name_zh: Annotated[str, StringConstraints(max_length=100)] | None = None
    icon: Annotated[str, StringConstraints(max_length=255)] | None = None


class ScenarioUpdate(Strict):
    slug: Slug | None = None
    name: ShortName | None = None
    name_zh: Annotated[str, StringConstraints(max_length=100)] | None = None
    icon: Annotated[str, StringConstraints(max_length=255)] | None = None


class ScenarioPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    slug: str
    name: str
    name_zh: str | None
    icon: str | None


class ToolFields(Strict):
    name_zh: Annotated[str, StringConstraints(max_length=255)] | None = None
    description: str | None = None
    description_zh: str | None = None
    logo_url: Url | None = None
    is_china_accessible: bool = True
    requires_vpn: bool = False
    avg_rating: Annotated[float, Field(ge=0, le=5)] = 0.0
    review_count: Annotated[int, Field(ge=0)] = 0
    github_stars: Annotated[int, Field(ge=0)] = 0
    has_api: bool = False


class ToolWrite(ToolFields):
    slug: Slug
    name: Name
    url: Url
    pricing_type: PricingType = "free"
    category: Slug | None = None
    scenarios: list[Slug] = Field(default_factory=list)


class ToolUpdate(Strict):
    slug: Slug | None = None
    name: Name | None = None
    name_zh: Annotated[str, StringConstraints(max_length=255)] | None = None
    description: str | None = None
    description_zh: str | None = None
    url: Url | None = None
    logo_url: Url | None = None
    pricing_type: PricingType | None = None
    category: Slug | None = None
    scenarios: list[Slug] | None = None
    is_china_accessible: bool | None = None
    requires_vpn: bool | None = None
    avg_rating: Annotated[float, Field(ge=0, le=5)] | None = None
    review_count: Annotated[int, Field(ge=0)] | None = None
    github_stars: Annotated[int, Field(ge=0)] | None = None
    has_api: bool | None = None


class ToolPublic(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    name_zh: str | None
    description: str | None
    description_zh: str | None
    url: str
    logo_url: str | None
    pricing_type: str
    is_china_accessible: bool
    requires_vpn: bool
    avg_rating: float
    review_count: int
    github_stars: int
    has_api: bool
    category: str | None = Field(description="the category's slug")
    scenarios: list[str] = Field(description="the scenarios' slugs")
    created_at: datetime
    updated_at: datetime


class SkillWrite(Strict):
    tool: Slug
    slug: Slug
    name: ShortName
    name_zh: Annotated[str, StringConstraints(max_length=100)] | None = None
    description: str | None = None
    description_zh: str | None = None
    api_endpoint: Url | None = None
    http_method: HttpMethod = "GET"
    input_schema: JsonSchema = Field(default_factory=dict)
    output_schema: JsonSchema = Field(default_factory=dict)
    headers_template: dict[str, str] = Field(default_factory=dict)
    auth_type: Literal["none", "api_key", "bearer", "oauth2"] = "none"
    auth_config: dict[str, str] = Field(default_factory=dict)
    is_active: bool = True


class SkillUpdate(Strict):
    slug: Slug | None = None
    name: ShortName | None = None
    name_zh: Annotated[str, StringConstraints(max_length=100)] | None = None
    description: str | None = None
    description_zh: str | None = None
    api_endpoint: Url | None = None
    http_method: HttpMethod | None = None
    input_schema: JsonSchema | None = None
    output_schema: JsonSchema | None = None
    headers_template: dict[str, str] | None = None
    auth_type: Literal["none", "api_key", "bearer", "oauth2"] | None = None
    auth_config: dict[str, str] | None = None
    is_active: bool | None = None


class SkillPublic(BaseModel):
    id: uuid.UUID
    tool: str
    slug: str
    name: str
    name_zh: str | None
    description: str | None
    description_zh: str | None
    api_endpoint: str | None
    http_method: str
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]
    auth_type: str
    auth_config: dict[str, Any] = Field(
        description="where a credential goes (header, prefix, env_var), never its value"
    )
    is_active: bool
    usage_count: int
    avg_latency_ms: float


class ToolDetail(ToolPublic):
    category_detail: CategoryPublic | None
    scenario_details: list[ScenarioPublic]
    skills: list[SkillPublic]


class SearchHit(ToolPublic):
    score: float = Field(description="reciprocal-rank-fusion score of the keyword and semantic rankings")
