"""What the admin routes accept and answer."""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from shared.admin.permissions import Permission
from shared.users.schemas import Nickname, StrictBody, UserPublic

RoleName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, strip_whitespace=True, pattern=r"^[^\x00-\x1f\x7f]+$"),
]
Remark = Annotated[str, StringConstraints(max_length=1000)]
RoleStatus = Literal["active", "disabled"]
NoticeStatus = Literal["draft", "published"]


def unique(items: list[Any]) -> list[Any]:
    return list(dict.fromkeys(items))


Permissions = Annotated[
    list[Permission],
    Field(max_length=50, description="permissions of the fixed vocabulary (GET /v1/admin/permissions)"),
    AfterValidator(unique),
]


# --- permissions and roles -----------------------------------------------------------------------


class PermissionPublic(BaseModel):
    name: str
    description: str


class RoleCreate(StrictBody):
    name: RoleName
    remark: Remark | None = None
    status: RoleStatus = "active"
    permissions: Permissions = Field(default_factory=list)


class RoleUpdate(StrictBody):
    name: RoleName | None = None
    remark: Remark | None = None
    status: RoleStatus | None = None
    permissions: Permissions | None = None


class RolePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    remark: str | None
    status: str
    permissions: list[str]
    user_count: int = 0
    created_at: datetime
    updated_at: datetime


class RoleBrief(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    status: str


# --- users -----------------------------------------------------------------------------------------


class AdminUserPublic(UserPublic):
    """An account as administrators see it: its profile, sign-in facts, balances and roles."""

    password_changed_at: datetime | None = None
    credits: Decimal
    bonus_credits: Decimal
    roles: list[RoleBrief] = Field(default_factory=list)


class AdminUserUpdate(StrictBody):
    is_active: bool | None = Field(
        None, description="false signs the account out everywhere, revokes its API keys, pauses its schedules"
    )
    is_superuser: bool | None = Field(None, description="superusers only")
    roles: Annotated[list[uuid.UUID], Field(max_length=50), AfterValidator(unique)] | None = Field(
        None, description="the ids of the roles the user holds from now on (roles:manage)"
    )
    nickname: Nickname | None = None


# --- the login log ---------------------------------------------------------------------------------


class LoginLogPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    user_id: uuid.UUID | None
    identifier: str
    method: str
    status: str
    message: str | None
    ip: str | None
    city: str | None
    user_agent: str | None
    os: str | None
    browser: str | None
    device: str | None
    created_at: datetime


# --- notices ---------------------------------------------------------------------------------------

Title = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
Content = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]


def check_period(starts_at: datetime | None, ends_at: datetime | None) -> None:
    for moment in (starts_at, ends_at):
        if moment is not None and moment.tzinfo is None:
            raise ValueError("starts_at and ends_at need a timezone, e.g. 2027-01-01T00:00:00Z")
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise ValueError("ends_at must be after starts_at")


class NoticeCreate(StrictBody):
    title: Title
    title_zh: Title | None = None
    content: Content
    content_zh: Content | None = None
    status: NoticeStatus = "draft"
    starts_at: datetime | None = Field(None, description="shown from then on; null: at once")
    ends_at: datetime | None = Field(None, description="hidden from then on; null: until withdrawn")

    @model_validator(mode="after")
    def ends_after_it_starts(self) -> "NoticeCreate":
        check_period(self.starts_at, self.ends_at)
        return self


class NoticeUpdate(StrictBody):
    title: Title | None = None
    title_zh: Title | None = None
    content: Content | None = None
    content_zh: Content | None = None
    status: NoticeStatus | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    @model_validator(mode="after")
    def ends_after_it_starts(self) -> "NoticeUpdate":
        check_period(self.starts_at, self.ends_at)
        return self


class NoticePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    title_zh: str | None
    content: str
    content_zh: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    created_at: datetime


class NoticeAdmin(NoticePublic):
    status: str
    created_by: uuid.UUID | None
    updated_at: datetime


# --- runtime settings ------------------------------------------------------------------------------


class ConfigEntry(BaseModel):
    key: str
    type: str = Field(description="boolean, integer or decimal")
    description: str
    value: Any = Field(description="what applies now: the override, else the environment's")
    default: Any = Field(description="the environment's value (the deploy's)")
    overridden: bool


class ConfigWrite(StrictBody):
    value: Any = Field(description="of the key's type")


# --- stats -----------------------------------------------------------------------------------------


class UserStats(BaseModel):
    total: int
    active: int = Field(description="accounts that are not disabled")
    disabled: int
    superusers: int
    new: int = Field(description="created in the period")
    signed_in: int = Field(description="accounts whose last sign-in is in the period")


class UsageByModelAndDay(BaseModel):
    day: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    credits: Decimal
    calls: int


class CountInPeriod(BaseModel):
    total: int
    new: int = Field(description="created in the period")


class SystemStats(BaseModel):
    since: datetime
    until: datetime
    users: UserStats
    runs_by_status: dict[str, int] = Field(description="executions created in the period, per status")
    usage: list[UsageByModelAndDay]
    credits_granted: Decimal = Field(description="credits and bonus credits granted in the period")
    linked_accounts: dict[str, int] = Field(description="accounts linked to each sign-in provider")
    workflows: CountInPeriod
    scheduled_workflows: int
    agents: CountInPeriod
    conversations: CountInPeriod
    messages: int = Field(description="messages written in the period")
