"""Signed webhook calls: `X-Ainav-Signature: t=<unix>,v1=<hex hmac-sha256 of "t." + body>`."""

import hashlib
import hmac
import json
import re
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from shared import quotas
from shared.config import get_utc_now, settings
from shared.errors import (
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    ServiceUnavailableError,
)
from shared.executions import service as execution_service
from shared.executions.models import AgentExecution
from shared.json_schema import check_instance
from shared.workflows import service as workflow_service
from shared.workflows.models import AgentWorkflow, WebhookDelivery

SIGNATURE_PATTERN = re.compile(r"^t=(?P<t>\d{1,12}),v1=(?P<v1>[0-9a-f]{64})$")


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The header value a sender puts on `body` (what our docs and tests use)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _parse_signature(header: str | None) -> tuple[int, str]:
    if not header:
        raise AuthenticationError("Missing X-Ainav-Signature header")
    match = SIGNATURE_PATTERN.match(header.strip())
    if match is None:
        raise AuthenticationError("Malformed X-Ainav-Signature; expected t=<unix>,v1=<hex>")
    return int(match["t"]), match["v1"]


def _parse_body(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInputError("The body must be a JSON object") from exc
    if not isinstance(payload, dict):
        raise InvalidInputError("The body must be a JSON object")
    return payload


def receive(
    *, session: Session, workflow_id: uuid.UUID, signature: str | None, body: bytes, source_ip: str | None
) -> AgentExecution:
    """Verify a webhook call and start a run with its body as input; every failure starts nothing."""
    if len(body) > settings.MAX_WEBHOOK_BODY_BYTES:
        raise PayloadTooLargeError(f"The body exceeds {settings.MAX_WEBHOOK_BODY_BYTES} bytes")
    timestamp, provided = _parse_signature(signature)
    workflow = session.scalar(select(AgentWorkflow).where(AgentWorkflow.id == workflow_id))
    secret = workflow_service.webhook_secret(workflow) if workflow is not None else None
    if workflow is None or secret is None:
        raise NotFoundError("No webhook is enabled for this workflow")
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, provided):
        raise AuthenticationError("Signature does not match")
    if not workflow.user.is_active:
        raise PermissionDeniedError("The owner of this workflow is disabled")
    if abs(get_utc_now().timestamp() - timestamp) > settings.WEBHOOK_TOLERANCE_SECONDS:
        raise AuthenticationError("Signature timestamp is too old or in the future")
    payload = _parse_body(body)
    check_instance(workflow.input_schema, payload)
    quotas.check_webhook_calls(session, workflow.user_id)
    signature_hash = hashlib.sha256(provided.encode()).hexdigest()
    first_use = session.execute(
        pg_insert(WebhookDelivery)
        .values(signature_hash=signature_hash, workflow_id=workflow.id)
        .on_conflict_do_nothing()
        .returning(WebhookDelivery.signature_hash)
    ).first()
    if first_use is None:
        session.rollback()
        raise AuthenticationError("This signature was already used")
    try:
        return execution_service.start_execution(
            session=session,
            workflow=workflow,
            user_id=workflow.user_id,
            input_data=payload,
            trigger_type="webhook",
            trigger_metadata={"source_ip": source_ip, "signed_at": timestamp},
        )
    except ServiceUnavailableError:
        # nothing ran: the sender's retry with the same signature must be accepted
        session.execute(delete(WebhookDelivery).where(WebhookDelivery.signature_hash == signature_hash))
        session.commit()
        raise


def purge_spent_signatures(session: Session) -> int:
    """Signatures past the replay window can no longer be presented; the caller commits."""
    cutoff = get_utc_now() - timedelta(seconds=2 * settings.WEBHOOK_TOLERANCE_SECONDS)
    return session.execute(delete(WebhookDelivery).where(WebhookDelivery.received_at < cutoff)).rowcount
