"""Liveness of the API and its database."""

from aws_lambda_powertools import Logger
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from shared import __version__
from shared.config import settings
from shared.health.schemas import DatabaseHealth, HealthStatus

logger = Logger(child=True)


def check_database(*, session: Session) -> DatabaseHealth:
    """Run `select 1` and read the server version; a failure is reported, not raised."""
    try:
        session.execute(text("select 1"))
        server_version = session.execute(text("select current_setting('server_version')")).scalar_one()
    except SQLAlchemyError as exc:
        logger.warning("health check: database unavailable", extra={"error": type(exc).__name__})
        session.rollback()
        return DatabaseHealth(status="unavailable")
    return DatabaseHealth(status="ok", server_version=str(server_version))


def get_health(*, session: Session) -> HealthStatus:
    """The API's status: ok when the database answers, degraded otherwise."""
    database = check_database(session=session)
    return HealthStatus(
        status="ok" if database.status == "ok" else "degraded",
        version=__version__,
        environment=settings.ENVIRONMENT,
        database=database,
    )
