"""Sending to the executions queue; what a message holds is shared.queue.messages."""

import uuid

from aws_lambda_powertools import Logger

from shared import aws
from shared.config import settings
from shared.queue import messages

logger = Logger(child=True)


class QueueUnavailableError(Exception):
    """The message could not be sent; the caller decides what that means for its row."""


def send(message: messages.AnyMessage) -> str:
    """Send one message to the executions queue; returns its SQS message id."""
    if not settings.EXECUTIONS_QUEUE_URL:
        raise QueueUnavailableError("EXECUTIONS_QUEUE_URL is not set")
    try:
        response = aws.client("sqs").send_message(
            QueueUrl=settings.EXECUTIONS_QUEUE_URL, MessageBody=messages.body_of(message)
        )
    except Exception as exc:  # botocore raises many types; all mean "not queued"
        logger.error("queue send failed", extra={"error": type(exc).__name__, "type": message.type})
        raise QueueUnavailableError(str(exc)) from exc
    return str(response["MessageId"])


def enqueue_execution(execution_id: uuid.UUID) -> str:
    return send(messages.ExecutionRun(execution_id=execution_id))
