"""The executions queue (architecture §4): message bodies, and sending them."""

import json
import uuid
from typing import Any

from aws_lambda_powertools import Logger

from shared import aws
from shared.config import settings

logger = Logger(child=True)

EXECUTION_RUN = "execution.run"
WORKFLOW_SCHEDULED = "workflow.scheduled"


class QueueUnavailableError(Exception):
    """The message could not be sent; the caller decides what that means for its row."""


def execution_run_message(execution_id: uuid.UUID) -> dict[str, Any]:
    return {"type": EXECUTION_RUN, "execution_id": str(execution_id)}


def send(message: dict[str, Any]) -> str:
    """Send one message to the executions queue; returns its SQS message id."""
    if not settings.EXECUTIONS_QUEUE_URL:
        raise QueueUnavailableError("EXECUTIONS_QUEUE_URL is not set")
    try:
        response = aws.client("sqs").send_message(
            QueueUrl=settings.EXECUTIONS_QUEUE_URL, MessageBody=json.dumps(message)
        )
    except Exception as exc:  # botocore raises many types; all mean "not queued"
        logger.error("queue send failed", extra={"error": type(exc).__name__, "type": message.get("type")})
        raise QueueUnavailableError(str(exc)) from exc
    return str(response["MessageId"])


def enqueue_execution(execution_id: uuid.UUID) -> str:
    return send(execution_run_message(execution_id))
