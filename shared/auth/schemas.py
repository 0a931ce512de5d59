"""Request and response bodies of /v1/auth and /v1/users/me/api-keys (account fields: users.schemas)."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from shared.users.schemas import Email, NewPassword, Password, StrictBody, Username, UserPublic

OpaqueToken = Annotated[str, StringConstraints(min_length=16, max_length=256)]


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
