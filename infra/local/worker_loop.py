"""The worker loop of `make dev`: poll the queues and call the worker Lambda handler with real SQS event
shapes; delete only the records it reports as done, as Lambda's event source does. The priority queue
is drained first (`PriorityWorker`): the executions and mail queues are read only while it is empty.

A failed record stays on the queue; locally it becomes visible again after RETRY_DELAY_SECONDS (not
the queue's 6-minute visibility timeout), and after 5 receives the queue's redrive moves it to the DLQ."""

import logging
import threading
from collections.abc import Callable
from typing import Any

import boto3
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from infra.local.lambdas import LocalLambdaContext, load_function

logger = logging.getLogger("ainav.local.worker")

BATCH_SIZE = 10
WAIT_SECONDS = 1  # short long-polls so Ctrl-C is prompt
RETRY_DELAY_SECONDS = 2
IDLE_SECONDS = 0.2  # the priority worker polls without waiting, and pauses this long when all are empty


def to_sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """What Lambda's SQS event source hands the handler."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": {key: str(value) for key, value in m.get("Attributes", {}).items()},
                "messageAttributes": {
                    name: {"stringValue": value.get("StringValue"), "dataType": value.get("DataType")}
                    for name, value in m.get("MessageAttributes", {}).items()
                },
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for m in messages
        ]
    }


class WorkerLoop:
    def __init__(self, queue_url: str, queue_arn: str, region: str, endpoint_url: str | None) -> None:
        self.queue_url, self.queue_arn, self.region = queue_url, queue_arn, region
        self.sqs = boto3.client("sqs", region_name=region, endpoint_url=endpoint_url)
        self.function = load_function("functions/worker")

    @classmethod
    def of(cls, queue_url: str, region: str, endpoint_url: str | None) -> "WorkerLoop":
        """The loop of a queue known by its URL."""
        sqs = boto3.client("sqs", region_name=region, endpoint_url=endpoint_url)
        arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        return cls(queue_url, arn, region, endpoint_url)

    def poll_once(self, wait_seconds: int = WAIT_SECONDS) -> tuple[int, int]:
        """Receive one batch, hand it to the handler; returns (processed, failed)."""
        messages = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=BATCH_SIZE,
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return 0, 0
        try:
            response = self.function.handler(
                to_sqs_event(messages, self.queue_arn, self.region), LocalLambdaContext("ainav-worker")
            )
            failed = {item["itemIdentifier"] for item in (response or {}).get("batchItemFailures", [])}
        except BatchProcessingError:  # every record failed: Lambda returns the whole batch to the queue
            failed = {message["MessageId"] for message in messages}
        for message in messages:
            if message["MessageId"] in failed:
                self.sqs.change_message_visibility(
                    QueueUrl=self.queue_url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=RETRY_DELAY_SECONDS,
                )
            else:
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return len(messages) - len(failed), len(failed)

    def run(self, stop: threading.Event) -> None:
        keep_polling(self.poll_once, stop, idle_seconds=0)


def keep_polling(
    poll_once: Callable[[], tuple[int, int]], stop: threading.Event, idle_seconds: float
) -> None:
    """Poll until stopped; an iteration that raises is logged and retried a second later."""
    while not stop.is_set():
        try:
            processed, failed = poll_once()
        except Exception:
            logger.exception("worker loop iteration failed")
            stop.wait(1)
            continue
        if processed or failed:
            logger.info("worker: %d done, %d failed", processed, failed)
        elif idle_seconds:
            stop.wait(idle_seconds)


class PriorityWorker:
    """Worker loops of several queues, the first drained before the others are read."""

    def __init__(self, first: WorkerLoop, *others: WorkerLoop) -> None:
        self.first, self.others = first, others

    def poll_once(self) -> tuple[int, int]:
        """One batch of the first queue if it has any, else one of each other queue."""
        processed, failed = self.first.poll_once(wait_seconds=0)
        if processed or failed:
            return processed, failed
        for loop in self.others:
            done, not_done = loop.poll_once(wait_seconds=0)
            processed, failed = processed + done, failed + not_done
        return processed, failed

    def run(self, stop: threading.Event) -> None:
        keep_polling(self.poll_once, stop, idle_seconds=IDLE_SECONDS)
