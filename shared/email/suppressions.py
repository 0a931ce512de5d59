"""The suppression list: SES bounces and complaints (through SNS) stop further mail to an address."""

from typing import Any

from aws_lambda_powertools import Logger
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from shared.email.models import EmailSuppression

logger = Logger(child=True)


def suppressed(session: Session, addresses: list[str]) -> set[str]:
    """Which of these addresses are suppressed (lower-cased), read through the caller's session (a
    second session would wait for the Lambda's one pooled connection). Fails open: mail must not
    depend on the database, and a failed read, kept in a savepoint, leaves the caller's work intact."""
    lowered = [address.strip().lower() for address in addresses]
    try:
        with session.begin_nested():
            return set(
                session.scalars(select(EmailSuppression.email).where(EmailSuppression.email.in_(lowered)))
            )
    except Exception as exc:
        logger.warning("suppression list unavailable", extra={"error": type(exc).__name__})
        return set()


def suppress(*, session: Session, email: str, reason: str, detail: str | None = None) -> None:
    session.execute(
        pg_insert(EmailSuppression)
        .values(email=email.strip().lower(), reason=reason, detail=(detail or "")[:500] or None)
        .on_conflict_do_nothing()
    )


def handle_ses_event(*, session: Session, message: dict[str, Any]) -> list[str]:
    """One SES event (v2 event publishing or classic notification); returns the addresses suppressed."""
    kind = message.get("eventType") or message.get("notificationType")
    added: list[str] = []
    if kind == "Bounce":
        bounce = message.get("bounce") or {}
        if bounce.get("bounceType") != "Permanent":
            return []  # soft bounces (mailbox full, throttling) may succeed later
        for recipient in bounce.get("bouncedRecipients") or []:
            suppress(
                session=session,
                email=recipient["emailAddress"],
                reason="bounce",
                detail=recipient.get("diagnosticCode") or bounce.get("bounceSubType"),
            )
            added.append(recipient["emailAddress"].lower())
    elif kind == "Complaint":
        complaint = message.get("complaint") or {}
        for recipient in complaint.get("complainedRecipients") or []:
            suppress(
                session=session,
                email=recipient["emailAddress"],
                reason="complaint",
                detail=complaint.get("complaintFeedbackType"),
            )
            added.append(recipient["emailAddress"].lower())
    if added:
        logger.info("addresses suppressed", extra={"count": len(added), "kind": kind})
    return added
