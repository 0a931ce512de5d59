"""/v1/users/me: the caller's profile and password (API keys: shared.auth.api_keys_router)."""

from fastapi import APIRouter, status

from shared.api.responses import JSON_BODY, error_responses
from shared.auth import service as auth_service
from shared.auth.dependencies import CurrentPrincipal, CurrentUser
from shared.db import SessionDep
from shared.users import service as user_service
from shared.users.schemas import PasswordChangeRequest, UserPublic, UserUpdate

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
    auth_service.change_password(session=session, principal=principal, change=body)
