"""Sending to our queues, each message tracked as a queue job; what a message holds is
shared.queue.messages, what becomes of its job shared.queue.jobs."""

import uuid
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger
from sqlalchemy.orm import Session

from shared import aws
from shared.config import settings
from shared.queue import jobs, messages
from shared.queue.models import QueueJob, QueueName

if TYPE_CHECKING:
    from shared.executions.models import AgentExecution

logger = Logger(child=True)

# The message attribute that names the job of a message, so the worker finds it from the first delivery.
JOB_ID_ATTRIBUTE = "job_id"


class QueueUnavailableError(Exception):
    """The message could not be sent; the caller decides what that means for its row."""


def queue_url(queue: QueueName) -> str | None:
    """The queue's URL; urgent work shares the executions queue where no priority queue is set up."""
    if queue == QueueName.PRIORITY:
        return settings.PRIORITY_QUEUE_URL or settings.EXECUTIONS_QUEUE_URL
    if queue == QueueName.MAIL:
        return settings.MAIL_QUEUE_URL
    return settings.EXECUTIONS_QUEUE_URL


def send(
    session: Session,
    message: messages.AnyMessage,
    *,
    queue: QueueName = QueueName.EXECUTIONS,
    task_id: uuid.UUID | None = None,
) -> QueueJob:
    """Record the message's job (committed first, so the worker finds it), then send the message naming
    it. A refused send leaves the job `failed` with the reason and raises QueueUnavailableError."""
    url = queue_url(queue)
    if not url:
        raise QueueUnavailableError(f"the {queue} queue is not configured")
    if queue == QueueName.PRIORITY and not settings.PRIORITY_QUEUE_URL:
        queue = QueueName.EXECUTIONS
    job = jobs.new_job(message, queue=queue, task_id=task_id)
    session.add(job)
    session.commit()
    return transmit(session, job, url, messages.body_of(message))


def transmit(session: Session, job: QueueJob, url: str, body: str) -> QueueJob:
    """Send a tracked job's body (again, for a redrive) and record the message id it got."""
    try:
        response = aws.client("sqs").send_message(
            QueueUrl=url,
            MessageBody=body,
            MessageAttributes={JOB_ID_ATTRIBUTE: {"DataType": "String", "StringValue": str(job.id)}},
        )
    except Exception as exc:  # botocore raises many types; all mean "not queued"
        logger.error("queue send failed", extra={"error": type(exc).__name__, "type": job.type})
        jobs.not_sent(job, f"not sent: {type(exc).__name__}")
        session.commit()
        raise QueueUnavailableError(str(exc)) from exc
    job.message_id = str(response["MessageId"])
    session.commit()
    return job


# Task priorities whose runs go to the queue the worker drains first (shared.tasks.models.HIGH_PRIORITIES).
URGENT = frozenset({"high", "urgent"})


def enqueue_execution(session: Session, execution: "AgentExecution") -> QueueJob:
    """Send a pending execution's `execution.run`; a run of an urgent or high-priority task goes to the
    priority queue (its trigger metadata names the task and its priority)."""
    metadata = execution.trigger_metadata or {}
    task_id = metadata.get("task_id")
    return send(
        session,
        messages.ExecutionRun(execution_id=execution.id),
        queue=QueueName.PRIORITY if metadata.get("priority") in URGENT else QueueName.EXECUTIONS,
        task_id=uuid.UUID(task_id) if task_id else None,
    )
