"""Bounces and complaints suppress an address; the email service then refuses it."""

from sqlalchemy import select

from shared.config import Settings
from shared.email.models import EmailSuppression
from shared.email.service import EmailService
from shared.email.suppressions import handle_ses_event


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


def test_the_service_refuses_a_suppressed_recipient_and_drops_suppressed_copies(caplog):
    sent = []

    class Client:
        def send_email(self, **request):  # type: ignore[no-untyped-def]
            sent.append(request)
            return {"MessageId": "1"}

    service = EmailService(
        Settings(_env_file=None, MAIL_FROM_EMAIL="noreply@ainav.test"),
        client=Client(),
        suppressed=lambda addresses: {"gone@example.com"} & {a.lower() for a in addresses},
    )
    assert service.send_email("Gone@example.com", "Hi", "<p>Hi</p>") is False
    assert sent == []
    assert service.send_email("ok@example.com", "Hi", "<p>Hi</p>", cc=["gone@example.com"]) is True
    assert sent[0]["Destination"]["CcAddresses"] == []
    assert "suppression list" in caplog.text
