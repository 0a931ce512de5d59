"""Request and response bodies of /v1/auth and /v1/users/me."""

import uuid
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)

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
OpaqueToken = Annotated[str, StringConstraints(min_length=16, max_length=256)]
Phone = Annotated[str, StringConstraints(pattern=PHONE_PATTERN, max_length=MAX_PHONE_LENGTH)]


class StrictBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class RegisterRequest(StrictBody):
    email: Email
    username: Username
    password: NewPassword


class LoginRequest(StrictBody):
    email: Email | None = None
    username: Annotated[str, StringConstraints(min_length=1, max_length=255)] | None = None
    password: Password

    @model_validator(mode="after")
    def needs_email_or_username(self) -> "LoginRequest":
        if not (self.email or self.username):
            raise ValueError("email or username is required")
        return self

    @property
    def identifier(self) -> str:
        """What the caller signs in with: the email, else the username, lower-cased."""
        return (self.email or self.username or "").strip().lower()


class RefreshRequest(StrictBody):
    refresh_token: OpaqueToken


class ForgotPasswordRequest(StrictBody):
    email: Email


class ResetPasswordRequest(StrictBody):
    token: OpaqueToken
    new_password: NewPassword


class MagicLinkRequest(StrictBody):
    email: Email


class MagicLinkVerifyRequest(StrictBody):
    token: OpaqueToken


class EmailVerifyRequest(StrictBody):
    token: OpaqueToken


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    username: str
    phone: str | None
    is_active: bool
    is_superuser: bool
    email_verified: bool = False
    has_password: bool = False
    github_linked: bool = False
    wechat_linked: bool = False
    created_at: datetime
    updated_at: datetime


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="seconds until the access token expires")


class AuthResponse(TokenPair):
    user: UserPublic


class AcceptedResponse(BaseModel):
    detail: str


class OAuthAuthorizeResponse(BaseModel):
    authorization_url: str
    state: str
    expires_in: int


class UserUpdate(StrictBody):
    username: Username | None = None
    phone: Phone | None = None


class PasswordChangeRequest(StrictBody):
    current_password: Password
    new_password: NewPassword


class ApiKeyCreate(StrictBody):
    name: Annotated[str, StringConstraints(min_length=1, max_length=128, strip_whitespace=True)]
    expires_at: datetime | None = None


class ApiKeyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    prefix: str
    is_active: bool
    expires_at: datetime | None
    last_used_at: datetime | None
    created_at: datetime


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="the full key; shown only in this response")
