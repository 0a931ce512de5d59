"""EmailService on SES v2, read back from moto."""

from email import message_from_string, policy
from email.message import EmailMessage
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
from moto import mock_aws
from moto.ses.models import ses_backends

from shared import aws
from shared.config import Settings
from shared.email.service import EmailService, escape_url_param, has_line_break, lifetime_in_words
from tests.fakes.http_server import Reply, ScriptedServer

SENDER = "noreply@ainav.test"
REGION = "us-east-1"


def sent_messages() -> list[EmailMessage]:
    backend = ses_backends["123456789012"][REGION]
    return [message_from_string(m.raw_data, policy=policy.default) for m in backend.sent_messages]


@pytest.fixture
def ses():
    with mock_aws():
        client = boto3.client("sesv2", region_name=REGION)
        client.create_email_identity(EmailIdentity=SENDER)
        yield client


@pytest.fixture
def service(ses) -> EmailService:
    config = Settings(
        _env_file=None, MAIL_FROM_EMAIL=SENDER, FRONTEND_URL="https://app.ainav.test/", AWS_REGION=REGION
    )
    return EmailService(config, client=ses)


def test_send_email_delivers_html_and_text_with_cc_and_bcc(service, db):
    sent = service.send_email(
        db, "alice@example.com", "Hello", "<p>Hi</p>", "Hi", cc=["bob@example.com"], bcc=["audit@example.com"]
    )
    assert sent is True
    [message] = sent_messages()
    assert message["To"] == "alice@example.com"
    assert message["Cc"] == "bob@example.com"
    assert message["Bcc"] is None  # blind copies travel in the envelope only
    assert message["From"].addresses[0].display_name == "AI导航"
    assert message.get_body(("html",)).get_content().strip() == "<p>Hi</p>"
    assert message.get_body(("plain",)).get_content().strip() == "Hi"


def test_password_reset_mail_links_to_the_frontend_with_the_encoded_token(service, db):
    token = "tok+en/with spaces&more"
    assert service.send_password_reset_email(db, "alice@example.com", token) is True
    [message] = sent_messages()
    assert message["Subject"] == "重置您的密码 - AI导航"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    link = next(line for line in text.splitlines() if line.startswith("https://"))
    assert link == f"https://app.ainav.test/reset-password?token={escape_url_param(token)}"
    assert parse_qs(urlparse(link).query)["token"] == [token]
    assert f'href="{link.replace("&", "&amp;")}"' in html
    assert "1 小时" in text and "1 小时" in html


@pytest.mark.parametrize(
    ("minutes", "said"), [(30, "30 分钟"), (120, "2 小时"), (90, "1 小时 30 分钟"), (60, "1 小时")]
)
def test_password_reset_mail_states_the_configured_lifetime(ses, db, minutes, said):
    # GIVEN reset links that live `minutes`
    config = Settings(
        _env_file=None,
        MAIL_FROM_EMAIL=SENDER,
        AWS_REGION=REGION,
        PASSWORD_RESET_EXPIRE_MINUTES=minutes,
    )
    # WHEN the reset mail goes out
    assert EmailService(config, client=ses).send_password_reset_email(db, "alice@example.com", "t" * 20)
    # THEN both parts say that lifetime, and no other
    [message] = sent_messages()
    for part in ("plain", "html"):
        content = message.get_body((part,)).get_content()
        assert f"此链接将在 {said}后失效" in content


def test_a_lifetime_reads_in_hours_and_minutes():
    assert [lifetime_in_words(m) for m in (0, 1, 15, 59, 60, 61, 150, 1440)] == [
        "0 分钟",
        "1 分钟",
        "15 分钟",
        "59 分钟",
        "1 小时",
        "1 小时 1 分钟",
        "2 小时 30 分钟",
        "24 小时",
    ]


def test_welcome_mail_escapes_the_username_in_html(service, db):
    username = '<script>alert("x")</script>'
    assert service.send_welcome_email(db, "alice@example.com", username) is True
    [message] = sent_messages()
    assert message["Subject"] == "欢迎加入 AI导航！"
    html = message.get_body(("html",)).get_content()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert username in message.get_body(("plain",)).get_content()  # plain text is not markup


@pytest.mark.parametrize(
    ("to", "subject"),
    [
        ("alice@example.com\r\nBcc: victim@example.com", "Hello"),
        ("alice@example.com", "Hello\nBcc: victim@example.com"),
    ],
)
def test_header_injection_is_refused(service, to, subject, db):
    assert service.send_email(db, to, subject, "<p>x</p>") is False
    assert sent_messages() == []


def test_a_rejected_send_is_false_not_an_exception(ses, db):
    unverified = Settings(_env_file=None, MAIL_FROM_EMAIL="stranger@elsewhere.test", AWS_REGION=REGION)
    assert (
        EmailService(unverified, client=ses).send_email(db, "alice@example.com", "Hi", "<p>Hi</p>") is False
    )


def test_without_a_sender_mail_is_not_configured_and_not_sent(ses, db):
    unconfigured = EmailService(Settings(_env_file=None, MAIL_FROM_EMAIL=None), client=ses)
    assert unconfigured.is_configured() is False
    assert unconfigured.send_email(db, "alice@example.com", "Hi", "<p>Hi</p>") is False


def test_the_configuration_set_is_named_on_every_send(ses, db):
    ses.create_configuration_set(ConfigurationSetName="ainav-test")
    calls = []
    ses.meta.events.register(
        "provide-client-params.sesv2.SendEmail", lambda params, **_: calls.append(params)
    )
    config = Settings(_env_file=None, MAIL_FROM_EMAIL=SENDER, SES_CONFIGURATION_SET="ainav-test")
    assert EmailService(config, client=ses).send_email(db, "alice@example.com", "Hi", "<p>Hi</p>") is True
    assert calls[0]["ConfigurationSetName"] == "ainav-test"


def test_has_line_break():
    assert has_line_break("a\rb") and has_line_break("a\nb")
    assert not has_line_break("plain subject")


THROTTLED = Reply(
    429,
    {"message": "Maximum sending rate exceeded."},
    headers={"x-amzn-ErrorType": "TooManyRequestsException"},
)
SES_SEND_PATH = "/v2/email/outbound-emails"


@pytest.fixture
def ses_endpoint():  # type: ignore[no-untyped-def]
    """A real HTTP peer on loopback answering SES v2's SendEmail, for faults moto cannot make."""
    with ScriptedServer() as server:
        yield server


def service_against(server: ScriptedServer, sleeps: list[float], attempts: int = 4) -> EmailService:
    config = Settings(
        _env_file=None,
        MAIL_FROM_EMAIL=SENDER,
        AWS_REGION=REGION,
        MAIL_SEND_MAX_ATTEMPTS=attempts,
        MAIL_RETRY_BASE_SECONDS=0.5,
    )
    client = aws.build_client("sesv2", region=REGION, endpoint_url=server.url)
    return EmailService(
        config, client=client, suppressed=lambda session, recipients: set(), sleep=sleeps.append
    )


def test_ses_throttling_is_retried_with_growing_jittered_backoff(ses_endpoint, db):
    ses_endpoint.script(SES_SEND_PATH, THROTTLED, THROTTLED, Reply(200, {"MessageId": "m-1"}))
    sleeps: list[float] = []
    assert (
        service_against(ses_endpoint, sleeps).send_email(db, "alice@example.com", "Hi", "<p>Hi</p>") is True
    )
    assert len(ses_endpoint.calls(SES_SEND_PATH)) == 3  # boto3's own retries are off: these are ours
    assert len(sleeps) == 2
    assert 0 <= sleeps[0] <= 0.5 and 0 <= sleeps[1] <= 1.0


def test_ses_throttling_gives_up_after_the_last_attempt(ses_endpoint, db):
    ses_endpoint.script(SES_SEND_PATH, THROTTLED)
    sleeps: list[float] = []
    service = service_against(ses_endpoint, sleeps, attempts=3)
    assert service.send_email(db, "alice@example.com", "Hi", "<p>Hi</p>") is False
    assert len(ses_endpoint.calls(SES_SEND_PATH)) == 3
    assert len(sleeps) == 2


def test_other_ses_errors_are_not_retried(ses_endpoint, db):
    rejected = Reply(
        400, {"message": "Email address is not verified."}, headers={"x-amzn-ErrorType": "MessageRejected"}
    )
    ses_endpoint.script(SES_SEND_PATH, rejected)
    sleeps: list[float] = []
    assert (
        service_against(ses_endpoint, sleeps).send_email(db, "alice@example.com", "Hi", "<p>Hi</p>") is False
    )
    assert len(ses_endpoint.calls(SES_SEND_PATH)) == 1
    assert sleeps == []
