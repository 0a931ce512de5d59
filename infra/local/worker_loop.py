"""The worker loop of `make dev`: long-poll the executions queue and call the worker Lambda handler
with real SQS event shapes; delete only the records it reports as done, as Lambda's event source does.

A failed record stays on the queue; locally it becomes visible again after RETRY_DELAY_SECONDS (not
the queue's 6-minute visibility timeout), and after 5 receives the queue's redrive moves it to the DLQ."""

import logging
import threading
from typing import Any

import boto3
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from infra.local.lambdas import LocalLambdaContext, load_function

logger = logging.getLogger("ainav.local.worker")

BATCH_SIZE = 10
WAIT_SECONDS = 1  # short long-polls so Ctrl-C is prompt
RETRY_DELAY_SECONDS = 2


def to_sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """What Lambda's SQS event source hands the handler."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": {key: str(value) for key, value in m.get("Attributes", {}).items()},
                "messageAttributes": m.get("MessageAttributes", {}),
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
        while not stop.is_set():
            try:
                processed, failed = self.poll_once()
            except Exception:
                logger.exception("worker loop iteration failed")
                stop.wait(1)
                continue
            if processed or failed:
                logger.info("worker: %d done, %d failed", processed, failed)
