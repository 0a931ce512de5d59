"""Who is calling: `Authorization: Bearer <access JWT>` or `X-API-Key: sk_...`."""

from typing import Annotated

from aws_lambda_powertools import Logger
from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from shared.audit.middleware import AUDIT_USER
from shared.auth import api_keys
from shared.auth.principal import Principal, authenticate_access_token
from shared.auth.sessions import ClientInfo
from shared.config import settings
from shared.db import SessionDep
from shared.errors import AuthenticationError, PermissionDeniedError
from shared.users.models import User

logger = Logger(child=True)

MAX_USER_AGENT_LENGTH = 512
MAX_CITY_LENGTH = 128

bearer_scheme = HTTPBearer(auto_error=False, description="An access token from /v1/auth/login")
api_key_scheme = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="A key from /v1/users/me/api-keys"
)


def get_optional_principal(
    request: Request,
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    api_key: Annotated[str | None, Depends(api_key_scheme)],
) -> Principal | None:
    """The caller if credentials came with the request; bad credentials are a 401, none is None."""
    principal = None
    scheme = "bearer" if bearer is not None else "api_key"
    try:
        if bearer is not None:
            principal = authenticate_access_token(session=session, token=bearer.credentials)
        elif api_key:
            principal = Principal(user=api_keys.authenticate(session=session, key=api_key))
    except AuthenticationError as exc:  # a security signal: the scheme and reason, never the credential
        logger.info("credentials refused", extra={"scheme": scheme, "reason": exc.message})
        raise
    if principal is not None:  # for the operation log
        setattr(request.state, AUDIT_USER, (principal.user.id, principal.user.username))
    return principal


def get_principal(principal: Annotated[Principal | None, Depends(get_optional_principal)]) -> Principal:
    if principal is None:
        raise AuthenticationError("Not authenticated")
    return principal


def get_current_user(principal: Annotated[Principal, Depends(get_principal)]) -> User:
    return principal.user


def require_superuser(user: Annotated[User, Depends(get_current_user)]) -> User:
    """For admin routes: 401 without credentials, 403 for a signed-in user who is not a superuser."""
    if not user.is_superuser:
        raise PermissionDeniedError("Superuser privileges required")
    return user


def get_client_info(request: Request) -> ClientInfo:
    """The source IP as the server saw it (API Gateway's sourceIp under Lambda), never a header; the
    city only from the header LOGIN_CITY_HEADER names (one a CDN in front sets, e.g.
    CloudFront-Viewer-City), else None."""
    user_agent = request.headers.get("user-agent")
    city = request.headers.get(settings.LOGIN_CITY_HEADER) if settings.LOGIN_CITY_HEADER else None
    return ClientInfo(
        ip=request.client.host if request.client else None,
        user_agent=user_agent[:MAX_USER_AGENT_LENGTH] if user_agent else None,
        city=city.strip()[:MAX_CITY_LENGTH] or None if city else None,
    )


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(get_optional_principal)]
CurrentUser = Annotated[User, Depends(get_current_user)]
SuperUser = Annotated[User, Depends(require_superuser)]
Client = Annotated[ClientInfo, Depends(get_client_info)]
