"""One EventBridge Scheduler schedule `wf-<id>` per scheduled workflow, targeting the executions queue."""

import uuid
from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger

from shared import aws
from shared.config import settings
from shared.errors import ServiceUnavailableError
from shared.queue import messages
from shared.scheduling.cron import CronExpression, parse_cron

logger = Logger(child=True)


def schedule_name(workflow_id: uuid.UUID) -> str:
    return f"wf-{workflow_id}"


def schedule_request(workflow_id: uuid.UUID, cron: CronExpression, timezone: str) -> dict[str, Any]:
    """The arguments of CreateSchedule/UpdateSchedule for one workflow."""
    target: dict[str, Any] = {
        "Arn": settings.EXECUTIONS_QUEUE_ARN,
        "RoleArn": settings.SCHEDULER_ROLE_ARN,
        "Input": messages.scheduled_fire_template(workflow_id),
        "RetryPolicy": {
            "MaximumRetryAttempts": settings.SCHEDULE_MAX_RETRY_ATTEMPTS,
            "MaximumEventAgeInSeconds": settings.SCHEDULE_MAX_EVENT_AGE_SECONDS,
        },
    }
    if settings.SCHEDULER_DLQ_ARN:
        target["DeadLetterConfig"] = {"Arn": settings.SCHEDULER_DLQ_ARN}
    return {
        "Name": schedule_name(workflow_id),
        "GroupName": settings.SCHEDULE_GROUP_NAME,
        "ScheduleExpression": cron.eventbridge,
        "ScheduleExpressionTimezone": timezone,
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "State": "ENABLED",
        "Target": target,
        "Description": f"ainav workflow {workflow_id}",
    }


def _ensure_configured() -> None:
    if not (settings.EXECUTIONS_QUEUE_ARN and settings.SCHEDULER_ROLE_ARN):
        raise ServiceUnavailableError(
            "Scheduling is not configured (EXECUTIONS_QUEUE_ARN, SCHEDULER_ROLE_ARN)"
        )


def put_schedule(workflow_id: uuid.UUID, cron_expression: str, timezone: str) -> None:
    """Create the workflow's schedule, or update it if it exists."""
    _ensure_configured()
    request = schedule_request(workflow_id, parse_cron(cron_expression), timezone)
    scheduler = aws.client("scheduler")
    try:
        try:
            scheduler.update_schedule(**request)
        except scheduler.exceptions.ResourceNotFoundException:
            scheduler.create_schedule(**request)
    except Exception as exc:
        logger.error(
            "schedule not saved", extra={"workflow_id": str(workflow_id), "error": type(exc).__name__}
        )
        raise ServiceUnavailableError("The scheduler did not accept the schedule; try again") from exc


def delete_schedule(workflow_id: uuid.UUID) -> None:
    """Remove the workflow's schedule; a schedule that is already gone is fine."""
    scheduler = aws.client("scheduler")
    try:
        scheduler.delete_schedule(Name=schedule_name(workflow_id), GroupName=settings.SCHEDULE_GROUP_NAME)
    except scheduler.exceptions.ResourceNotFoundException:
        return
    except Exception as exc:
        logger.error(
            "schedule not deleted", extra={"workflow_id": str(workflow_id), "error": type(exc).__name__}
        )
        raise ServiceUnavailableError("The scheduler did not remove the schedule; try again") from exc


def next_fire_times(cron_expression: str, timezone: str, after: datetime | None = None) -> list[datetime]:
    return parse_cron(cron_expression).next_fire_times(timezone, settings.SCHEDULE_PREVIEW_COUNT, after)
