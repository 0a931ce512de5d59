"""Transactional mail through the queue: with a mail queue, a mail is a `mail.send` job (its template
values kept out of the job) that the worker renders and sends; SES trouble is the queue's to retry.
The always-202 answers keep their padding; workflows' email nodes still send at once."""

import uuid

import pytest
from sqlalchemy import select

from shared.auth import service as auth_service
from shared.config import settings
from shared.email import service as email_service_module
from shared.executions import worker
from shared.queue import messages
from shared.queue.models import QueueJob
from tests.accounts import signup
from tests.conftest import Mailbox
from tests.queues import take


@pytest.fixture
def outbox(aws):  # type: ignore[no-untyped-def]
    return Mailbox(settings.AWS_REGION)


def deliver_mail(db, aws) -> list[bool]:  # type: ignore[no-untyped-def]
    """The worker's part: every queued mail.send, rendered and sent."""
    return [
        worker.process(db, messages.parse(message["Body"]))["sent"] for message in take(aws.mail_queue_url)
    ]


def test_a_password_reset_mail_is_queued_then_sent_by_the_worker_and_its_link_works(
    client, db, aws, outbox, monkeypatch
):
    # GIVEN an account (its welcome mail queued too)
    signup(client, email="queued@example.com")
    padded: list[int] = []
    real_at_least = auth_service.at_least
    monkeypatch.setattr(
        auth_service, "at_least", lambda ms, **kw: padded.append(ms) or real_at_least(ms, **kw)
    )
    # WHEN its owner forgets the password
    response = client.post("/v1/auth/password/forgot", json={"email": "queued@example.com"})
    # THEN the answer is the padded 202, and nothing has been sent yet: the mail is a job
    assert response.status_code == 202 and padded == [settings.AUTH_MIN_RESPONSE_MS]
    assert outbox.to("queued@example.com") == []
    job = db.scalar(select(QueueJob).where(QueueJob.reference == "mail:password_reset"))
    assert (job.queue, job.status) == ("mail", "queued")
    assert job.data["to"] == "queued@example.com" and job.data["context"]["reset_url"] == "[redacted]"
    # WHEN the worker takes the mail queue
    assert deliver_mail(db, aws) == [True, True]  # the welcome and the reset
    # THEN the reset mail went out, and its link resets the password
    token = outbox.token_sent_to("queued@example.com")
    reset = client.post(
        "/v1/auth/password/reset", json={"token": token, "new_password": "a new passphrase 99"}
    )
    assert reset.status_code == 204


def test_ses_refusing_a_queued_mail_raises_for_the_queue_to_retry(db, aws, monkeypatch):
    email_service_module.email_service.send_welcome_email(db, "later@example.com", "later")
    monkeypatch.setattr(settings, "MAIL_FROM_EMAIL", "unverified@elsewhere.test")
    [message] = take(aws.mail_queue_url)
    with pytest.raises(email_service_module.MailNotSent):
        worker.process(db, messages.parse(message["Body"]))


def test_a_mail_that_must_not_go_out_completes_its_job_unsent(db, aws, outbox):
    email_service_module.email_service.send_welcome_email(db, f"gone-{uuid.uuid4().hex[:6]}@example.com", "x")
    [message] = take(aws.mail_queue_url)
    parsed = messages.parse(message["Body"])
    suppressed = parsed.model_copy(update={"to": "nobody@wechat.invalid"})
    assert worker.process(db, suppressed) == {"sent": False}


def test_without_a_mail_queue_mail_is_sent_in_the_request(client, mailbox):
    assert settings.MAIL_QUEUE_URL is None
    signup(client, email="direct@example.com")
    assert len(mailbox.to("direct@example.com")) == 1


def test_a_queue_that_refuses_the_mail_has_it_sent_at_once(db, aws, outbox, monkeypatch):
    monkeypatch.setattr(settings, "MAIL_QUEUE_URL", aws.mail_queue_url + "-gone")
    assert email_service_module.email_service.send_welcome_email(db, "fallback@example.com", "fallback")
    assert len(outbox.to("fallback@example.com")) == 1
