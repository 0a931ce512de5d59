from fastapi import APIRouter, Response, status

from shared.admin import roles
from shared.api.responses import error_responses
from shared.auth.dependencies import OptionalPrincipal
from shared.db import SessionDep
from shared.errors import AuthenticationError, PermissionDeniedError
from shared.health import detail as health_detail
from shared.health import service as health_service
from shared.health.schemas import DetailedHealthStatus

router = APIRouter(tags=["health"])
DETAIL_PERMISSION = "system:read"


@router.get(
    "/health",
    response_model=DetailedHealthStatus,
    response_model_exclude_unset=True,
    responses={
        **error_responses(401, 403, 422),
        503: {"model": DetailedHealthStatus, "description": "The database does not answer"},
    },
)
def read_health(
    session: SessionDep, response: Response, principal: OptionalPrincipal, detail: bool = False
) -> DetailedHealthStatus:
    """Liveness, for anyone. `detail=true` (system:read) adds the database's extensions, the queues'
    depths, SES, the embedding model, the LLM configuration and the schedules."""
    if detail:
        if principal is None:
            raise AuthenticationError("Not authenticated")
        if DETAIL_PERMISSION not in roles.permissions_of(session, principal.user):
            raise PermissionDeniedError(f"This needs the permission {DETAIL_PERMISSION}")
    health = DetailedHealthStatus(**health_service.get_health(session=session).model_dump())
    if detail:
        health.detail = health_detail.collect(session)
    if health.status != "ok":
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return health
