"""WorkerFunction: the SQS executions, priority and mail queues → the worker, with partial batch responses."""

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from shared import snapstart
from shared.executions.worker import BatchJobs, handle_record
from shared.queue.service import JOB_ID_ATTRIBUTE

logger = Logger()
tracer = Tracer()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.SQS)
snapstart.register()


def job_id_of(record: dict) -> str | None:
    return (record.get("messageAttributes") or {}).get(JOB_ID_ATTRIBUTE, {}).get("stringValue")


def receive_count_of(record: dict) -> int:
    return int((record.get("attributes") or {}).get("ApproximateReceiveCount", 1))


@tracer.capture_method
def record_handler(record: SQSRecord, batch: BatchJobs | None = None) -> None:
    handle_record(
        record.body,
        receive_count=int(record.attributes.approximate_receive_count),
        message_id=record.message_id,
        job_id=job_id_of(record.raw_event),
        batch=batch,
    )


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict, context: object) -> dict:
    """The batch's jobs start in one statement and complete in one (shared.executions.worker.BatchJobs)."""
    records = event.get("Records") or []
    batch = BatchJobs([(job_id_of(r), r["messageId"], receive_count_of(r)) for r in records])
    batch.start()
    response = process_partial_response(
        event=event,
        record_handler=lambda record: record_handler(record, batch),
        processor=processor,
        context=context,
    )
    batch.finish()
    return response
