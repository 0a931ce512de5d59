"""The worker's part, on the test's session: messages our code sent to the (emulated) queues are taken
off and processed by the worker's own `process`, the priority queue first, as the worker drains it."""

from typing import Any

import boto3
from sqlalchemy.orm import Session

from shared.config import settings
from shared.executions import worker
from shared.queue import messages


def take(queue_url: str) -> list[dict[str, Any]]:
    """Every message on a queue, deleted from it."""
    sqs = boto3.client("sqs", region_name=settings.AWS_REGION, endpoint_url=settings.AWS_ENDPOINT_URL)
    taken: list[dict[str, Any]] = []
    while batch := sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0, MessageAttributeNames=["All"]
    ).get("Messages", []):
        for message in batch:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        taken += batch
    return taken


def bodies(queue_url: str) -> list[dict[str, Any]]:
    """The parsed messages on a queue (taken off it)."""
    return [messages.parse(message["Body"]).model_dump(mode="json") for message in take(queue_url)]


def work_off(db: Session, resources: Any) -> list[str]:
    """Process the priority queue, then the executions queue, until both are empty; returns the types
    of the messages processed, in order."""
    done: list[str] = []
    while True:
        batch = take(resources.priority_queue_url) or take(resources.queue_url)
        if not batch:
            return done
        for message in batch:
            parsed = messages.parse(message["Body"])
            worker.process(db, parsed)
            done.append(parsed.type)
