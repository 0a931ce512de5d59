"""The scheduler loop of `make dev`: fire the schedules stored in the emulated EventBridge Scheduler
at their cron times, in their timezone, into their target queue, as the real service would."""

import json
import logging
import threading
from datetime import UTC, datetime
from typing import Any

import boto3
from croniter import croniter

from shared.queue.messages import SCHEDULED_TIME_PLACEHOLDER
from shared.scheduling.cron import parse_cron
from shared.scheduling.timezones import parse_timezone

logger = logging.getLogger("ainav.local.scheduler")

TICK_SECONDS = 1.0


def fire_times_between(expression: str, timezone: str, after: datetime, until: datetime) -> list[datetime]:
    """Fire times t with after < t <= until, in UTC."""
    standard = parse_cron(expression.removeprefix("cron(").removesuffix(")")).standard
    zone = parse_timezone(timezone)
    iterator = croniter(standard, after.astimezone(zone))
    times = []
    while (moment := iterator.get_next(datetime).astimezone(UTC)) <= until:
        times.append(moment)
    return times


class SchedulerLoop:
    def __init__(self, group: str, region: str, endpoint_url: str | None) -> None:
        self.group = group
        self.scheduler = boto3.client("scheduler", region_name=region, endpoint_url=endpoint_url)
        self.sqs = boto3.client("sqs", region_name=region, endpoint_url=endpoint_url)
        self.checked_until = datetime.now(UTC)

    def _queue_url(self, queue_arn: str) -> str:
        name = queue_arn.rsplit(":", 1)[-1]
        return self.sqs.get_queue_url(QueueName=name)["QueueUrl"]

    def fire_due(self, now: datetime) -> list[dict[str, Any]]:
        """Send the message of every enabled schedule whose fire time fell in (last check, now]."""
        sent = []
        for summary in self.scheduler.list_schedules(GroupName=self.group).get("Schedules", []):
            schedule = self.scheduler.get_schedule(Name=summary["Name"], GroupName=self.group)
            if schedule.get("State") != "ENABLED" or not schedule["ScheduleExpression"].startswith("cron("):
                continue
            timezone = schedule.get("ScheduleExpressionTimezone") or "UTC"
            for moment in fire_times_between(
                schedule["ScheduleExpression"], timezone, self.checked_until, now
            ):
                scheduled_time = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
                body = schedule["Target"]["Input"].replace(SCHEDULED_TIME_PLACEHOLDER, scheduled_time)
                self.sqs.send_message(QueueUrl=self._queue_url(schedule["Target"]["Arn"]), MessageBody=body)
                sent.append(json.loads(body))
                logger.info("fired schedule %s for %s", summary["Name"], scheduled_time)
        self.checked_until = now
        return sent

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(TICK_SECONDS):
            try:
                self.fire_due(datetime.now(UTC))
            except Exception:
                logger.exception("scheduler loop iteration failed")
