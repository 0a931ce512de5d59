"""MailEventsFunction: SES bounces and complaints, delivered by SNS, fill the suppression list."""

import json

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.data_classes import SNSEvent, event_source

from shared.db import session_scope
from shared.email.suppressions import handle_ses_event

logger = Logger()
tracer = Tracer()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@event_source(data_class=SNSEvent)
def handler(event: SNSEvent, context: object) -> dict[str, int]:
    suppressed = 0
    for record in event.records:
        with session_scope() as session:
            suppressed += len(handle_ses_event(session=session, message=json.loads(record.sns.message)))
    return {"suppressed": suppressed}
