"""The gateway's routes: the models offered (/v1/llm/models); the caller's balances, ledger, usage and
own provider keys (/v1/users/me/...), served by UsersFunction; and `admin_router`, everyone's usage
(usage:read) and credit grants (credits:grant) under /v1/admin, served by AdminFunction."""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status

from shared.admin.dependencies import CreditGranter, UsageReader
from shared.api.pagination import Page, PageDep
from shared.api.responses import JSON_BODY, error_responses
from shared.auth.dependencies import CurrentUser
from shared.config import settings
from shared.db import SessionDep
from shared.errors import InvalidInputError
from shared.llm import credits, keys, usage
from shared.llm.providers import PROVIDERS
from shared.llm.schemas import (
    AdminGroupBy,
    Balances,
    CreditGrant,
    CreditGrantResult,
    CreditTransactionPublic,
    GroupBy,
    ModelList,
    ModelOffered,
    ProviderKeyPublic,
    ProviderKeyWrite,
    TransactionKind,
    UsageReport,
    UsageRow,
)

router = APIRouter(tags=["llm"])
admin_router = APIRouter(prefix="/admin", tags=["admin"])
Provider = Annotated[str, Path(min_length=1, max_length=32, description="one of " + ", ".join(PROVIDERS))]


@router.get("/llm/models", response_model=ModelList, responses=error_responses())
def list_models() -> ModelList:
    """The models offered, with their prices in credits per 1,000 tokens; no keys, no endpoints."""
    items = [
        ModelOffered(
            name=model.name,
            prompt_price=model.prompt_price,
            completion_price=model.completion_price,
            supports_tools=model.supports_tools,
            context_window=model.context_window,
            default=model.name == settings.LLM_DEFAULT_MODEL,
        )
        for model in settings.LLM_MODELS
    ]
    return ModelList(items=items, default_model=settings.LLM_DEFAULT_MODEL)


# --- the caller's ------------------------------------------------------------------------------


@router.get("/users/me/credits", response_model=Balances, responses=error_responses(401))
def read_my_credits(user: CurrentUser, session: SessionDep) -> Balances:
    current = credits.balances(session, user.id)
    return Balances(credits=current.credits, bonus_credits=current.bonus_credits)


@router.get(
    "/users/me/credits/transactions",
    response_model=Page[CreditTransactionPublic],
    responses=error_responses(401, 422),
)
def list_my_transactions(
    user: CurrentUser, session: SessionDep, page: PageDep, kind: TransactionKind | None = None
) -> Page[CreditTransactionPublic]:
    items, total = credits.list_transactions(session, user_id=user.id, page=page, kind=kind)
    return Page.of([CreditTransactionPublic.model_validate(item) for item in items], total, page)


def usage_report(rows: list[dict[str, Any]]) -> UsageReport:
    total = UsageRow(
        prompt_tokens=sum(row["prompt_tokens"] for row in rows),
        completion_tokens=sum(row["completion_tokens"] for row in rows),
        credits=sum((row["credits"] for row in rows), Decimal(0)),
        calls=sum(row["calls"] for row in rows),
    )
    items = [
        UsageRow(**{("user_id" if key == "user" else key): value for key, value in row.items()})
        for row in rows
    ]
    return UsageReport(items=items, total=total)


def check_period(since: datetime | None, until: datetime | None) -> None:
    if since is not None and until is not None and until <= since:
        raise InvalidInputError("until must be after since")


@router.get("/users/me/usage", response_model=UsageReport, responses=error_responses(401, 422))
def read_my_usage(
    user: CurrentUser,
    session: SessionDep,
    since: datetime | None = None,
    until: datetime | None = None,
    model: Annotated[str | None, Query(max_length=100)] = None,
    group_by: GroupBy = "day",
) -> UsageReport:
    """Tokens, credits and calls of the caller's model calls, per day or per model."""
    check_period(since, until)
    rows = usage.aggregate(session, group_by=group_by, user_id=user.id, model=model, since=since, until=until)
    return usage_report(rows)


@router.get("/users/me/llm-keys", response_model=list[ProviderKeyPublic], responses=error_responses(401))
def list_my_keys(user: CurrentUser, session: SessionDep) -> list[ProviderKeyPublic]:
    return [ProviderKeyPublic.model_validate(key) for key in keys.list_keys(session, user_id=user.id)]


@router.put(
    "/users/me/llm-keys/{provider}",
    response_model=ProviderKeyPublic,
    status_code=status.HTTP_200_OK,
    responses={
        201: {"description": "Stored (new)", "model": ProviderKeyPublic},
        **error_responses(401, *JSON_BODY),
    },
)
def put_my_key(
    provider: Provider, body: ProviderKeyWrite, user: CurrentUser, session: SessionDep, response: Response
) -> ProviderKeyPublic:
    """Store your own key for a provider (never shown again); calls with it cost no credits."""
    stored, created = keys.put_key(
        session, user_id=user.id, provider=provider, api_key=body.api_key, base_url=body.base_url
    )
    if created:
        response.status_code = status.HTTP_201_CREATED
    return ProviderKeyPublic.model_validate(stored)


@router.delete(
    "/users/me/llm-keys/{provider}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 404, 422),
)
def delete_my_key(provider: Provider, user: CurrentUser, session: SessionDep) -> None:
    keys.delete_key(session, user_id=user.id, provider=provider)


# --- administrators ------------------------------------------------------------------------------------


@admin_router.get("/usage", response_model=UsageReport, responses=error_responses(401, 403, 422))
def read_usage(
    _: UsageReader,
    session: SessionDep,
    user_id: uuid.UUID | None = None,
    model: Annotated[str | None, Query(max_length=100)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    group_by: AdminGroupBy = "day",
) -> UsageReport:
    """Everyone's model usage (or one user's), per day, model or user."""
    check_period(since, until)
    rows = usage.aggregate(session, group_by=group_by, user_id=user_id, model=model, since=since, until=until)
    return usage_report(rows)


@admin_router.post(
    "/users/{user_id}/credits",
    status_code=status.HTTP_201_CREATED,
    response_model=CreditGrantResult,
    responses=error_responses(401, 403, 404, *JSON_BODY),
)
def grant_credits(
    user_id: uuid.UUID, body: CreditGrant, admin: CreditGranter, session: SessionDep
) -> CreditGrantResult:
    """Grant credits and bonus credits (negative: take them away); a balance never goes below zero."""
    entries = credits.grant(
        session,
        user_id=user_id,
        credits=body.amount or Decimal(0),
        bonus_credits=body.bonus_amount or Decimal(0),
        note=body.note,
        actor_id=admin.id,
    )
    session.commit()
    after = credits.balances(session, user_id)
    return CreditGrantResult(
        credits=after.credits,
        bonus_credits=after.bonus_credits,
        transactions=[CreditTransactionPublic.model_validate(entry) for entry in entries],
    )
