"""/v1/users/me: the caller's profile, password and API keys."""

import uuid

from fastapi import APIRouter, status

from shared.api.pagination import Page, PageDep
from shared.api.responses import JSON_BODY, error_responses
from shared.auth import api_keys
from shared.auth.dependencies import CurrentPrincipal, CurrentUser
from shared.auth.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    PasswordChangeRequest,
    UserPublic,
    UserUpdate,
)
from shared.db import SessionDep
from shared.users import service as user_service

router = APIRouter(prefix="/users/me", tags=["users"])


@router.get("", response_model=UserPublic, responses=error_responses(401))
def read_me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user)


@router.patch("", response_model=UserPublic, responses=error_responses(401, 409, *JSON_BODY))
def update_me(changes: UserUpdate, user: CurrentUser, session: SessionDep) -> UserPublic:
    return UserPublic.model_validate(user_service.update_profile(session=session, user=user, changes=changes))


@router.post(
    "/password", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(400, 401, *JSON_BODY)
)
def change_password(body: PasswordChangeRequest, principal: CurrentPrincipal, session: SessionDep) -> None:
    user_service.change_password(
        session=session, user=principal.user, change=body, keep_family_id=principal.session_family_id
    )


@router.get("/api-keys", response_model=Page[ApiKeyPublic], responses=error_responses(401, 422))
def list_api_keys(user: CurrentUser, session: SessionDep, page: PageDep) -> Page[ApiKeyPublic]:
    items, total = api_keys.list_for(session=session, user=user, page=page)
    return Page.of([ApiKeyPublic.model_validate(item) for item in items], total, page)


@router.post(
    "/api-keys",
    status_code=status.HTTP_201_CREATED,
    response_model=ApiKeyCreated,
    responses=error_responses(401, 409, *JSON_BODY),
)
def create_api_key(body: ApiKeyCreate, user: CurrentUser, session: SessionDep) -> ApiKeyCreated:
    record, key = api_keys.create(session=session, user=user, request=body)
    return ApiKeyCreated(**ApiKeyPublic.model_validate(record).model_dump(), key=key)


@router.delete(
    "/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 404, 422)
)
def revoke_api_key(key_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    api_keys.revoke(session=session, user=user, key_id=key_id)
