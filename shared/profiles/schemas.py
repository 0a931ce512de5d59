"""Request and response bodies of /v1/users/me/profile and /v1/users/me/settings. A PATCH replaces
each field it names whole (a map or list included); null clears the fields that may be empty."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from shared.errors import InvalidInputError
from shared.llm.providers import PROVIDERS
from shared.scheduling.timezones import MAX_TIMEZONE_LENGTH, NOT_A_ZONE, parse_timezone
from shared.users.schemas import WebUrl

MAX_SOCIAL_ACCOUNTS = 20
MAX_AIRLINES = 20
MAX_FREQUENT_FLYER_NUMBERS = 20
MAX_TOURS = 100
SETTINGS_JSON_MAX_BYTES = 16_384  # serialized compactly as UTF-8; above it a PATCH is a 413

CabinClass = Literal["economy", "premium_economy", "business", "first"]
Theme = Literal["light", "dark", "system"]


def iana_timezone(name: str) -> str:
    try:
        parse_timezone(name)
    except InvalidInputError:
        raise ValueError(NOT_A_ZONE) from None  # the 422 names the field, never the value
    return name


def known_provider(name: str) -> str:
    if name not in PROVIDERS:
        raise ValueError(f"must be one of {', '.join(PROVIDERS)}")
    return name


Timezone = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_TIMEZONE_LENGTH),
    AfterValidator(iana_timezone),
    Field(
        description="an IANA time zone; new schedules run in it unless they name one",
        examples=["Asia/Shanghai"],
    ),
]
Key = Annotated[str, StringConstraints(min_length=1, max_length=50)]
SocialAccounts = Annotated[
    dict[Key, Annotated[str, StringConstraints(max_length=500)]],
    Field(max_length=MAX_SOCIAL_ACCOUNTS, description="network → handle or URL", examples=[{"x": "@ada"}]),
]
Airlines = Annotated[
    list[Annotated[str, StringConstraints(min_length=1, max_length=100)]], Field(max_length=MAX_AIRLINES)
]
FrequentFlyerNumbers = Annotated[
    dict[Key, Annotated[str, StringConstraints(min_length=1, max_length=50)]],
    Field(
        max_length=MAX_FREQUENT_FLYER_NUMBERS, description="airline → number", examples=[{"CA": "123456789"}]
    ),
]
Provider = Annotated[
    str,
    AfterValidator(known_provider),
    Field(description=f"one of {', '.join(PROVIDERS)}", examples=["deepseek"]),
]
ToursCompleted = Annotated[
    dict[Annotated[str, StringConstraints(min_length=1, max_length=100)], bool],
    Field(max_length=MAX_TOURS, description="tour id → completed", examples=[{"editor": True}]),
]
SettingsJson = Annotated[
    dict[str, Any],
    Field(
        description=f"any JSON object of the frontend's, up to {SETTINGS_JSON_MAX_BYTES} bytes (413 above)"
    ),
]


class ProfileUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timezone: Timezone | None = None
    email_notifications: bool | None = Field(None, description="mail about your runs (failures, successes)")
    linkedin_url: WebUrl | None = None
    github_url: WebUrl | None = None
    portfolio_url: WebUrl | None = None
    resume_url: WebUrl | None = None
    social_accounts: SocialAccounts | None = None
    preferred_airlines: Airlines | None = None
    preferred_cabin_class: CabinClass | None = None
    frequent_flyer_numbers: FrequentFlyerNumbers | None = None


class ProfilePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    timezone: str
    email_notifications: bool
    linkedin_url: str | None
    github_url: str | None
    portfolio_url: str | None
    resume_url: str | None
    social_accounts: dict[str, str]
    preferred_airlines: list[str]
    preferred_cabin_class: str | None
    frequent_flyer_numbers: dict[str, str]
    created_at: datetime
    updated_at: datetime


class SettingsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default_llm_provider: Provider | None = None
    theme: Theme | None = None
    sidebar_collapsed: bool | None = None
    onboarding_completed: bool | None = None
    tours_completed: ToursCompleted | None = None
    settings_json: SettingsJson | None = None


class SettingsPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    default_llm_provider: str | None
    theme: str
    sidebar_collapsed: bool
    onboarding_completed: bool
    tours_completed: dict[str, bool]
    settings_json: dict[str, Any]
    created_at: datetime
    updated_at: datetime
