"""Maintenance drains the dead-letter queues into queue jobs: each message found there marks its job
`dead` (the worker marks most on their last attempt; a worker that timed out or crashed cannot), and is
deleted once recorded. The job keeps the body, so a redrive sends it again; a message no job of ours
knows stays in the queue for an operator."""

from aws_lambda_powertools import Logger
from sqlalchemy.orm import Session

from shared import aws
from shared.config import settings
from shared.queue import jobs
from shared.queue.service import JOB_ID_ATTRIBUTE

logger = Logger(child=True)

BATCHES_PER_QUEUE = 10  # 100 messages per queue and run of maintenance
HIDE_UNKNOWN_SECONDS = 60


def dead_letter_queues() -> list[str]:
    return [url for url in (settings.EXECUTIONS_DLQ_URL, settings.MAIL_DLQ_URL) if url]


def drain(session: Session) -> int:
    """Record every message of the dead-letter queues as a dead job; returns how many were recorded."""
    recorded = 0
    for url in dead_letter_queues():
        try:
            recorded += _drain_one(session, url)
        except Exception as exc:  # SQS away: the messages wait for the next run
            session.rollback()
            logger.warning("dead-letter queue not drained", extra={"error": type(exc).__name__})
    return recorded


def _drain_one(session: Session, url: str) -> int:
    sqs = aws.client("sqs")
    recorded = 0
    for _ in range(BATCHES_PER_QUEUE):
        batch = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=0,
            VisibilityTimeout=HIDE_UNKNOWN_SECONDS,
            MessageAttributeNames=[JOB_ID_ATTRIBUTE],
        ).get("Messages", [])
        if not batch:
            break
        known = [
            message
            for message in batch
            if jobs.dead_lettered(
                session,
                job_id=message.get("MessageAttributes", {}).get(JOB_ID_ATTRIBUTE, {}).get("StringValue"),
                message_id=message["MessageId"],
            )
        ]
        session.commit()  # recorded before deleted: a failure in between leaves the message in the queue
        for message in known:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        recorded += len(known)
    return recorded
