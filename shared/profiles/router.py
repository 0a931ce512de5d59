"""/v1/users/me/profile and /v1/users/me/settings: the caller's preferences (served by UsersFunction)."""

from fastapi import APIRouter

from shared.api.responses import JSON_BODY, error_responses
from shared.auth.dependencies import CurrentUser
from shared.db import SessionDep
from shared.profiles import service as profile_service
from shared.profiles.schemas import ProfilePublic, ProfileUpdate, SettingsPublic, SettingsUpdate

router = APIRouter(prefix="/users/me", tags=["users"])


@router.get("/profile", response_model=ProfilePublic, responses=error_responses(401))
def read_profile(user: CurrentUser, session: SessionDep) -> ProfilePublic:
    return ProfilePublic.model_validate(profile_service.get_profile(session=session, user_id=user.id))


@router.patch("/profile", response_model=ProfilePublic, responses=error_responses(401, *JSON_BODY))
def update_profile(body: ProfileUpdate, user: CurrentUser, session: SessionDep) -> ProfilePublic:
    """Timezone (the default of new schedules), run mail on or off, links, travel preferences."""
    profile = profile_service.update_profile(session=session, user_id=user.id, request=body)
    return ProfilePublic.model_validate(profile)


@router.get("/settings", response_model=SettingsPublic, responses=error_responses(401))
def read_settings(user: CurrentUser, session: SessionDep) -> SettingsPublic:
    return SettingsPublic.model_validate(profile_service.get_settings(session=session, user_id=user.id))


@router.patch("/settings", response_model=SettingsPublic, responses=error_responses(401, 413, *JSON_BODY))
def update_settings(body: SettingsUpdate, user: CurrentUser, session: SessionDep) -> SettingsPublic:
    settings = profile_service.update_settings(session=session, user_id=user.id, request=body)
    return SettingsPublic.model_validate(settings)
