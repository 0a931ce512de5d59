"""/v1/users/me/api-keys: the caller's personal API keys (served by UsersFunction; the keys' logic is
shared.auth.api_keys, beside the other credentials)."""

import uuid

from fastapi import APIRouter, status

from shared.api.pagination import Page, PageDep
from shared.api.responses import JSON_BODY, error_responses
from shared.auth import api_keys
from shared.auth.dependencies import CurrentUser
from shared.auth.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic
from shared.db import SessionDep

router = APIRouter(prefix="/users/me/api-keys", tags=["users"])


@router.get("", response_model=Page[ApiKeyPublic], responses=error_responses(401, 422))
def list_api_keys(user: CurrentUser, session: SessionDep, page: PageDep) -> Page[ApiKeyPublic]:
    items, total = api_keys.list_for(session=session, user=user, page=page)
    return Page.of([ApiKeyPublic.model_validate(item) for item in items], total, page)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ApiKeyCreated,
    responses=error_responses(401, 409, *JSON_BODY),
)
def create_api_key(body: ApiKeyCreate, user: CurrentUser, session: SessionDep) -> ApiKeyCreated:
    record, key = api_keys.create(session=session, user=user, request=body)
    return ApiKeyCreated(**ApiKeyPublic.model_validate(record).model_dump(), key=key)


@router.delete("/{key_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 404, 422))
def revoke_api_key(key_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    api_keys.revoke(session=session, user=user, key_id=key_id)
