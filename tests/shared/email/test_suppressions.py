"""Bounces and complaints suppress an address; the email service then refuses it."""

from sqlalchemy import select, text

from shared.config import Settings
from shared.email.models import EmailSuppression
from shared.email.service import EmailService
from shared.email.suppressions import handle_ses_event, suppress


def test_permanent_bounces_and_complaints_suppress_soft_bounces_do_not(db):
    handle_ses_event(
        session=db,
        message={
            "eventType": "Bounce",
            "bounce": {
                "bounceType": "Permanent",
                "bouncedRecipients": [{"emailAddress": "Gone@Example.com"}],
            },
        },
    )
    handle_ses_event(
        session=db,
        message={
            "notificationType": "Complaint",
            "complaint": {"complainedRecipients": [{"emailAddress": "angry@example.com"}]},
        },
    )
    handle_ses_event(
        session=db,
        message={
            "eventType": "Bounce",
            "bounce": {
                "bounceType": "Transient",
                "bouncedRecipients": [{"emailAddress": "full@example.com"}],
            },
        },
    )
    stored = dict(db.execute(select(EmailSuppression.email, EmailSuppression.reason)).all())
    assert stored.get("gone@example.com") == "bounce" and stored.get("angry@example.com") == "complaint"
    assert "full@example.com" not in stored


class RecordingClient:
    """Stands in for the SES client: records what would have been sent."""

    def __init__(self) -> None:
        self.sent: list[dict] = []

    def send_email(self, **request):  # type: ignore[no-untyped-def]
        self.sent.append(request)
        return {"MessageId": str(len(self.sent))}


def test_the_service_refuses_a_suppressed_recipient_and_drops_suppressed_copies(db, caplog):
    # GIVEN an address on the suppression list
    suppress(session=db, email="Gone@Example.com", reason="bounce")
    client = RecordingClient()
    service = EmailService(Settings(_env_file=None, MAIL_FROM_EMAIL="noreply@ainav.test"), client=client)
    # WHEN mail goes to it, and to another address with a copy to it
    refused = service.send_email(db, "Gone@example.com", "Hi", "<p>Hi</p>")
    copied = service.send_email(db, "ok@example.com", "Hi", "<p>Hi</p>", cc=["gone@example.com"])
    # THEN the first is not sent and the copy is dropped from the second
    assert refused is False and copied is True
    assert [request["Destination"]["CcAddresses"] for request in client.sent] == [[]]
    assert "suppression list" in caplog.text


def test_a_failed_suppression_check_sends_anyway_and_leaves_the_callers_transaction_usable(db, caplog):
    # GIVEN a caller whose session has work in it, and a suppression list that cannot be read
    db.add(EmailSuppression(email="kept@example.com", reason="bounce"))
    db.flush()
    client = RecordingClient()
    service = EmailService(Settings(_env_file=None, MAIL_FROM_EMAIL="noreply@ainav.test"), client=client)
    db.execute(text("ALTER TABLE email_suppressions RENAME TO email_suppressions_gone"))
    # WHEN it sends a mail
    sent = service.send_email(db, "someone@example.com", "Hi", "<p>Hi</p>")
    # THEN the mail goes out (fail open), and the caller's transaction carries on with its work intact
    assert sent is True and len(client.sent) == 1
    assert "suppression list unavailable" in caplog.text
    db.execute(text("ALTER TABLE email_suppressions_gone RENAME TO email_suppressions"))
    assert db.scalar(select(EmailSuppression.email).where(EmailSuppression.email == "kept@example.com"))
