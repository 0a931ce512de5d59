"""Request and response bodies of the gateway's routes: models offered, balances, the ledger, usage,
personal provider keys and admin grants. Credits are numbers with 4 decimals."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints, model_validator

# credits travel as JSON numbers (4 decimals); Decimal inside
Credits = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
GrantAmount = Annotated[Decimal, Field(ge=-1_000_000_000, le=1_000_000_000, decimal_places=4)]
TransactionKind = Literal["grant", "bonus_grant", "consume", "refund", "hold", "release"]
GroupBy = Literal["day", "model"]
AdminGroupBy = Literal["day", "model", "user"]


class ModelOffered(BaseModel):
    name: str
    prompt_price: Credits = Field(description="credits per 1,000 prompt tokens")
    completion_price: Credits = Field(description="credits per 1,000 completion tokens")
    supports_tools: bool
    context_window: int
    default: bool


class ModelList(BaseModel):
    items: list[ModelOffered]
    default_model: str


class Balances(BaseModel):
    credits: Credits
    bonus_credits: Credits


class CreditTransactionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: TransactionKind
    amount: Credits
    bonus_amount: Credits
    credits_after: Credits
    bonus_credits_after: Credits
    reference: str | None
    note: str | None
    actor_id: uuid.UUID | None
    created_at: datetime


class UsageRow(BaseModel):
    day: date | None = None
    model: str | None = None
    user_id: uuid.UUID | None = None
    prompt_tokens: int
    completion_tokens: int
    credits: Credits
    calls: int


class UsageReport(BaseModel):
    items: list[UsageRow]
    total: UsageRow


class CreditGrant(BaseModel):
    """Credits to add to a user (negative: to take away); a balance never goes below zero."""

    amount: GrantAmount | None = None
    bonus_amount: GrantAmount | None = None
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]

    @model_validator(mode="after")
    def something_to_grant(self) -> "CreditGrant":
        if not self.amount and not self.bonus_amount:
            raise ValueError("give a non-zero amount or bonus_amount")
        return self


class CreditGrantResult(Balances):
    transactions: list[CreditTransactionPublic]


class ProviderKeyWrite(BaseModel):
    api_key: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    base_url: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=500)] | None
    ) = None


class ProviderKeyPublic(BaseModel):
    """A stored key, without the key."""

    model_config = ConfigDict(from_attributes=True)

    provider: str
    base_url: str | None
    configured: bool = True
    updated_at: datetime
