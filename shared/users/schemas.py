"""What an account's fields may hold, and the bodies of /v1/users/me. Auth's requests build on these
types (a registration is a username, an email and a new password); nothing here depends on auth."""

import uuid
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints

USERNAME_PATTERN = r"^[A-Za-z0-9_-]{3,50}$"
PHONE_PATTERN = r"^\+?[0-9]{6,20}$"
MAX_PHONE_LENGTH = 20  # the column's length, the "+" included
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128  # argon2 hashes any length; the cap keeps a request from buying seconds of CPU
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    return frozenset(COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").split())


def refuse_common_password(password: str) -> str:
    if password.lower() in common_passwords():
        raise ValueError("this password is too common; choose one that is harder to guess")
    return password


def lower_email(email: str) -> str:
    return email.strip().lower()


Email = Annotated[EmailStr, AfterValidator(lower_email)]
Username = Annotated[
    str,
    StringConstraints(pattern=USERNAME_PATTERN),
    Field(description="3 to 50 letters, digits, '_' or '-'", examples=["alice_01"]),
]
NewPassword = Annotated[
    str,
    StringConstraints(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH),
    AfterValidator(refuse_common_password),
    Field(description=f"{MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters, not a common password"),
]
Password = Annotated[str, StringConstraints(min_length=1, max_length=MAX_PASSWORD_LENGTH)]
Phone = Annotated[str, StringConstraints(pattern=PHONE_PATTERN, max_length=MAX_PHONE_LENGTH)]
Nickname = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, strip_whitespace=True, pattern=r"^[^\x00-\x1f\x7f]+$"),
    Field(description="a display name, 1 to 64 characters", examples=["Ada"]),
]


def web_url(value: str, schemes: tuple[str, ...] = ("http", "https")) -> str:
    """An absolute URL of one of `schemes` with a host and nothing a link should not hold (spaces,
    controls)."""
    # first: urlsplit silently drops tabs and newlines
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in value):
        raise ValueError("must not contain spaces or control characters")
    parts = urlsplit(value)
    if parts.scheme.lower() not in schemes or not parts.hostname:
        raise ValueError(f"must be an absolute {'/'.join(schemes)} URL")
    return value


def https_url(value: str) -> str:
    return web_url(value, ("https",))


WebUrl = Annotated[
    str,
    StringConstraints(max_length=500),
    AfterValidator(web_url),
    Field(description="an http(s) URL of at most 500 characters", examples=["https://example.com/me"]),
]


AvatarUrl = Annotated[
    str,
    StringConstraints(max_length=500),
    AfterValidator(https_url),
    Field(
        description="an https URL of an image, at most 500 characters",
        examples=["https://cdn.example.com/ada.png"],
    ),
]


class StrictBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    username: str
    nickname: str | None = None
    avatar_url: str | None = None
    phone: str | None
    is_active: bool
    is_superuser: bool
    is_multi_login: bool = True
    last_login_at: datetime | None = None
    email_verified: bool = False
    has_password: bool = False
    github_linked: bool = False
    wechat_linked: bool = False
    created_at: datetime
    updated_at: datetime


class UserUpdate(StrictBody):
    """A partial change; null clears the nickname, avatar or phone (never the username or the
    multi-login choice)."""

    username: Username | None = None
    phone: Phone | None = None
    nickname: Nickname | None = None
    avatar_url: AvatarUrl | None = None
    is_multi_login: bool | None = Field(None, description="false: a new sign-in ends the others")


class UserCard(BaseModel):
    """What anyone signed in may learn of another account (user search); an email only when the
    search named it exactly."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    username: str
    nickname: str | None
    avatar_url: str | None
    email: str | None = None


class UserCards(BaseModel):
    items: list[UserCard]


class PasswordChangeRequest(StrictBody):
    current_password: Password
    new_password: NewPassword
