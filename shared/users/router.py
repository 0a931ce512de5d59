"""/v1/users/me: the caller's profile and password (API keys: shared.auth.api_keys_router); and
/v1/users/search, finding other accounts to share with."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from shared import quotas
from shared.admin import runtime_config
from shared.api.responses import JSON_BODY, error_responses
from shared.auth import service as auth_service
from shared.auth.dependencies import CurrentPrincipal, CurrentUser
from shared.db import SessionDep
from shared.users import service as user_service
from shared.users.schemas import PasswordChangeRequest, UserCards, UserPublic, UserUpdate

router = APIRouter(prefix="/users/me", tags=["users"])
search_router = APIRouter(prefix="/users", tags=["users"])
SEARCH_RESULTS = 20


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
    auth_service.change_password(session=session, principal=principal, change=body)


@search_router.get("/search", response_model=UserCards, responses=error_responses(401, 422, 429))
def search_users(
    user: CurrentUser,
    session: SessionDep,
    q: Annotated[
        str,
        Query(min_length=2, max_length=100, description="part of a username or nickname, or an exact email"),
    ],
) -> UserCards:
    """Up to 20 active accounts, exact username first: id, username, nickname, avatar; the email only
    when `q` is exactly it. Rate limited (USER_SEARCH_RATE_LIMIT_PER_MINUTE)."""
    quotas.check_rate(
        session,
        key=f"user-search:{user.id}",
        limit=runtime_config.effective(session, "USER_SEARCH_RATE_LIMIT_PER_MINUTE"),
        window=quotas.MINUTE,
        what="user searches",
    )
    return UserCards(items=user_service.search(session=session, query=q, limit=SEARCH_RESULTS))
