"""What /v1/users/me/secrets accepts and answers: names and times, never a value."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

SECRET_NAME_PATTERN = r"^[A-Z][A-Z0-9_]{0,63}$"
SecretName = Annotated[str, StringConstraints(pattern=SECRET_NAME_PATTERN)]
MAX_SECRET_VALUE_CHARS = 4096


class SecretWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: str = Field(min_length=1, max_length=MAX_SECRET_VALUE_CHARS)


class SecretPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    created_at: datetime
    updated_at: datetime
