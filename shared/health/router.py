from fastapi import APIRouter, Response, status

from shared.db import SessionDep
from shared.health import service as health_service
from shared.health.schemas import HealthStatus

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=HealthStatus,
    responses={503: {"model": HealthStatus, "description": "The database does not answer"}},
)
def read_health(session: SessionDep, response: Response) -> HealthStatus:
    health = health_service.get_health(session=session)
    if health.status != "ok":
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return health
