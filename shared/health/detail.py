"""The detailed health of `GET /v1/health?detail=true` (holders of system:read): the database and its
extensions, the executions queue and its dead-letter queue, SES, the embedding model, the LLM
gateway's configuration and the schedules. Each check reports its own failure and never raises."""

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from shared import aws
from shared.config import settings
from shared.embedding.manifest import read_manifest
from shared.health.schemas import HealthDetail
from shared.workflows.models import AgentWorkflow

logger = Logger(child=True)
MAX_SCHEDULE_PAGES = 50


def checked(name: str, check: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """`{"status": "ok", ...}` from the check, or `{"status": "unavailable", "error": <type>}`."""
    try:
        return {"status": "ok", **check()}
    except Exception as exc:  # a health check reports any failure of what it probes
        logger.warning("health detail: check failed", extra={"check": name, "error": type(exc).__name__})
        return {"status": "unavailable", "error": type(exc).__name__}


def database(session: Session) -> dict[str, Any]:
    extensions = session.execute(text("SELECT extname, extversion FROM pg_extension ORDER BY extname"))
    return {
        "server_version": session.scalar(text("SELECT current_setting('server_version')")),
        "extensions": {name: version for name, version in extensions},
        "migration": session.scalar(text("SELECT version_num FROM alembic_version")),
    }


def queue_depth(url: str | None) -> dict[str, Any]:
    if not url:
        return {"configured": False}
    attributes = aws.probe_client("sqs").get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return {
        "configured": True,
        "visible": int(attributes.get("ApproximateNumberOfMessages", 0)),
        "in_flight": int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
    }


def mail() -> dict[str, Any]:
    if not settings.MAIL_FROM_EMAIL:
        return {"configured": False}
    quota = aws.probe_client("ses").get_send_quota()
    identity = aws.probe_client("sesv2").get_email_identity(EmailIdentity=settings.MAIL_FROM_EMAIL)
    return {
        "configured": True,
        "sender": settings.MAIL_FROM_EMAIL,
        "sender_verified": bool(identity.get("VerifiedForSendingStatus")),
        "max_24_hour_send": quota.get("Max24HourSend"),
        "sent_last_24_hours": quota.get("SentLast24Hours"),
        "max_send_rate": quota.get("MaxSendRate"),
    }


def embedding() -> dict[str, Any]:
    manifest = read_manifest()
    return {"model_name": manifest.get("model_name"), "dimensions": manifest.get("dimensions")}


def llm() -> dict[str, Any]:
    own_keys = [model.name for model in settings.LLM_MODELS if model.api_key_env]
    return {
        "configured": bool(settings.LLM_API_KEY) or bool(own_keys),
        "default_model": settings.LLM_DEFAULT_MODEL,
        "models": [model.name for model in settings.LLM_MODELS],
    }


def schedules(session: Session) -> dict[str, Any]:
    """Schedules in EventBridge Scheduler's group and the workflows that should have one."""
    in_database = session.scalar(
        select(func.count()).where(
            AgentWorkflow.trigger_type == "schedule",
            AgentWorkflow.trigger_config["enabled"].as_boolean().is_not(False),
        )
    )
    scheduler = aws.probe_client("scheduler")
    count, token = 0, None
    for _ in range(MAX_SCHEDULE_PAGES):
        more = {"NextToken": token} if token else {}
        page = scheduler.list_schedules(GroupName=settings.SCHEDULE_GROUP_NAME, NamePrefix="wf-", **more)
        count += len(page.get("Schedules", []))
        token = page.get("NextToken")
        if not token:
            break
    return {"in_scheduler": count, "scheduled_workflows": in_database}


def collect(session: Session) -> HealthDetail:
    database_status = checked("database", lambda: database(session))
    if database_status["status"] != "ok":
        session.rollback()  # the checks after it start a clean transaction
    return HealthDetail(
        database=database_status,
        queue=checked("queue", lambda: queue_depth(settings.EXECUTIONS_QUEUE_URL)),
        dead_letter_queue=checked("dead_letter_queue", lambda: queue_depth(settings.EXECUTIONS_DLQ_URL)),
        mail=checked("mail", mail),
        embedding=checked("embedding", embedding),
        llm=checked("llm", llm),
        schedules=checked("schedules", lambda: schedules(session)),
    )
