"""/v1/auth: register, login, refresh, logout, me, password reset, magic links, OAuth."""

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, status

from shared.api.responses import JSON_BODY, error_responses
from shared.auth import oauth
from shared.auth import service as auth_service
from shared.auth.dependencies import Client, CurrentPrincipal, CurrentUser
from shared.auth.schemas import (
    AcceptedResponse,
    AuthResponse,
    EmailVerifyRequest,
    ForgotPasswordRequest,
    LoginRequest,
    MagicLinkRequest,
    MagicLinkVerifyRequest,
    OAuthAuthorizeResponse,
    RefreshRequest,
    RegisterRequest,
    ResetPasswordRequest,
)
from shared.db import SessionDep
from shared.users.schemas import UserPublic

router = APIRouter(prefix="/auth", tags=["auth"])

Provider = Literal["github", "wechat"]
ACCEPTED = "If the address has an account, a mail is on its way."


def auth_response(signed_in: auth_service.SignedIn) -> AuthResponse:
    return AuthResponse(user=UserPublic.model_validate(signed_in.user), **signed_in.tokens.model_dump())


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=AuthResponse,
    responses=error_responses(409, *JSON_BODY),
)
def register(body: RegisterRequest, session: SessionDep, client: Client) -> AuthResponse:
    return auth_response(auth_service.register(session=session, request=body, client=client))


@router.post("/login", response_model=AuthResponse, responses=error_responses(401, 403, 429, *JSON_BODY))
def login(body: LoginRequest, session: SessionDep, client: Client) -> AuthResponse:
    return auth_response(auth_service.login(session=session, request=body, client=client))


@router.post("/refresh", response_model=AuthResponse, responses=error_responses(401, *JSON_BODY))
def refresh(body: RefreshRequest, session: SessionDep, client: Client) -> AuthResponse:
    return auth_response(
        auth_service.refresh(session=session, refresh_token=body.refresh_token, client=client)
    )


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, *JSON_BODY))
def logout(
    principal: CurrentPrincipal, session: SessionDep, body: Annotated[RefreshRequest | None, Body()] = None
) -> None:
    auth_service.logout(
        session=session, principal=principal, refresh_token=body.refresh_token if body else None
    )


@router.get("/me", response_model=UserPublic, responses=error_responses(401))
def me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user)


@router.post(
    "/password/forgot",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=AcceptedResponse,
    responses=error_responses(*JSON_BODY),
)
def forgot_password(body: ForgotPasswordRequest, session: SessionDep) -> AcceptedResponse:
    auth_service.request_password_reset(session=session, email=body.email)
    return AcceptedResponse(detail=ACCEPTED)


@router.post(
    "/password/reset", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(400, 401, *JSON_BODY)
)
def reset_password(body: ResetPasswordRequest, session: SessionDep) -> None:
    auth_service.reset_password(session=session, token=body.token, new_password=body.new_password)


@router.post(
    "/magic-link",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=AcceptedResponse,
    responses=error_responses(*JSON_BODY),
)
def request_magic_link(body: MagicLinkRequest, session: SessionDep) -> AcceptedResponse:
    auth_service.request_magic_link(session=session, email=body.email)
    return AcceptedResponse(detail=ACCEPTED)


@router.post(
    "/magic-link/verify", response_model=AuthResponse, responses=error_responses(400, 401, 403, *JSON_BODY)
)
def verify_magic_link(body: MagicLinkVerifyRequest, session: SessionDep, client: Client) -> AuthResponse:
    return auth_response(auth_service.verify_magic_link(session=session, token=body.token, client=client))


@router.post("/email/verify", response_model=UserPublic, responses=error_responses(400, *JSON_BODY))
def verify_email(body: EmailVerifyRequest, session: SessionDep) -> UserPublic:
    """Spend the link mailed at registration (or resent): the account's address is proven."""
    return UserPublic.model_validate(auth_service.verify_email(session=session, token=body.token))


@router.post(
    "/email/verify/resend",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=AcceptedResponse,
    responses=error_responses(400, 401, 409, *JSON_BODY),
)
def resend_verification(user: CurrentUser, session: SessionDep) -> AcceptedResponse:
    auth_service.resend_verification(session=session, user=user)
    return AcceptedResponse(detail="A verification link is on its way.")


@router.get(
    "/oauth/{provider}/authorize", response_model=OAuthAuthorizeResponse, responses=error_responses(404, 422)
)
def oauth_authorize(provider: Provider, session: SessionDep) -> OAuthAuthorizeResponse:
    return oauth.start_authorization(session=session, provider=provider)


@router.get(
    "/oauth/{provider}/callback",
    response_model=AuthResponse,
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
def oauth_callback(
    provider: Provider,
    code: Annotated[str, Query(min_length=1, max_length=512)],
    state: Annotated[str, Query(min_length=16, max_length=256)],
    session: SessionDep,
    client: Client,
) -> AuthResponse:
    return auth_response(
        oauth.complete_authorization(
            session=session, provider=provider, code=code, state=state, client=client
        )
    )
