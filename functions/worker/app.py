"""WorkerFunction: the SQS executions, priority and mail queues → the worker, with partial batch responses."""

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from shared import snapstart
from shared.executions.worker import handle_record
from shared.queue.service import JOB_ID_ATTRIBUTE

logger = Logger()
tracer = Tracer()
metrics = Metrics()
processor = BatchProcessor(event_type=EventType.SQS)
snapstart.register()


@tracer.capture_method
def record_handler(record: SQSRecord) -> None:
    job_id = (record.raw_event.get("messageAttributes") or {}).get(JOB_ID_ATTRIBUTE, {}).get("stringValue")
    handle_record(
        record.body,
        receive_count=int(record.attributes.approximate_receive_count),
        message_id=record.message_id,
        job_id=job_id,
    )


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict, context: object) -> dict:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
