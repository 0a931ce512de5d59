"""Transactional mail over SES v2 (the seed's EmailService, with SES in place of SMTP): queued as
`mail.send` jobs on the mail queue when there is one, sent now by workflows' email nodes (their run must
know whether it went out) and by the worker."""

import random
import time
from collections.abc import Callable
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aws_lambda_powertools import Logger
from pydantic import ValidationError
from sqlalchemy.orm import Session

from shared import aws
from shared.config import Settings, get_utc_now, settings
from shared.email import suppressions
from shared.queue import messages
from shared.queue import service as queue_service
from shared.queue.models import QueueName

if TYPE_CHECKING:
    from jinja2 import Environment

logger = Logger(child=True)

TEMPLATES_DIR = Path(__file__).parent / "templates"
PASSWORD_RESET_PATH = "/reset-password"
PASSWORD_RESET_SUBJECT = "重置您的密码 - AI导航"
WELCOME_SUBJECT = "欢迎加入 AI导航！"
MAGIC_LINK_PATH = "/auth/magic-link"
MAGIC_LINK_SUBJECT = "您的 AI导航 登录链接"
VERIFY_EMAIL_PATH = "/verify-email"
VERIFY_EMAIL_SUBJECT = "验证您的邮箱 - AI导航"
# Placeholder addresses (WeChat accounts have none) end in the reserved .invalid TLD: never mailed.
UNDELIVERABLE_SUFFIX = ".invalid"
# SES v2 answers 429 TooManyRequestsException past the account's sending rate.
THROTTLING_ERROR_CODES = frozenset({"TooManyRequestsException", "Throttling", "ThrottlingException"})


@cache
def _templates() -> "Environment":
    """The mail templates, loaded when the first mail is rendered (Jinja2 costs ~30 ms to import, and
    most functions import this module for one route that mails)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        # .html is escaped; .txt is plain text and never rendered as markup
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def has_line_break(value: str) -> bool:
    """True when a header value would let its content start a new header (CR/LF injection)."""
    return "\r" in value or "\n" in value


def escape_url_param(value: str) -> str:
    """URL-encode a value for a query string (the seed's escape_url_param)."""
    return quote(value, safe="")


def lifetime_in_words(minutes: int) -> str:
    """How long a mailed link lives, as the (Chinese) templates say it: "30 分钟", "2 小时",
    "1 小时 30 分钟"."""
    hours, rest = divmod(minutes, 60)
    parts = [f"{hours} 小时"] if hours else []
    if rest or not hours:
        parts.append(f"{rest} 分钟")
    return " ".join(parts)


def render_mail(template_name: str, **context: Any) -> tuple[str, str]:
    """Render `<name>.html` (autoescaped) and `<name>.txt` with the same context."""
    html = _templates().get_template(f"{template_name}.html").render(**context)
    text = _templates().get_template(f"{template_name}.txt").render(**context)
    return html, text


class MailNotSent(Exception):
    """SES did not take the mail (throttled past the retries, refused, unreachable)."""


class EmailService:
    """Sends mail through SES v2; every send returns True or False and logs, never raises.

    Each send takes the caller's database session, which the suppression check reads through."""

    def __init__(
        self,
        config: Settings = settings,
        client: Any = None,
        suppressed: Callable[[Session, list[str]], set[str]] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._settings = config
        self._client = client
        self._suppressed = suppressed or suppressions.suppressed
        self._sleep = sleep

    @property
    def client(self) -> Any:
        return self._client if self._client is not None else aws.client("sesv2")

    def is_configured(self) -> bool:
        """Mail can go out only with a sender address (an SES verified identity)."""
        return bool(self._settings.MAIL_FROM_EMAIL)

    def build_message(
        self,
        to_email: str,
        subject: str,
        html_content: str,
        text_content: str | None = None,
        cc: list[str] | None = None,
        bcc: list[str] | None = None,
    ) -> EmailMessage:
        """A multipart/alternative MIME message; Bcc stays out of the headers."""
        message = EmailMessage()
        sender = self._settings.MAIL_FROM_EMAIL or ""
        message["From"] = formataddr((self._settings.MAIL_FROM_NAME, sender), charset="utf-8")
        message["To"] = to_email
        if cc:
            message["Cc"] = ", ".join(cc)
        message["Subject"] = subject
        message["Date"] = get_utc_now()
        message["Message-ID"] = make_msgid(domain=Address(addr_spec=sender).domain or "ainav.local")
        message.set_content(text_content or "")
        message.add_alternative(html_content, subtype="html")
        return message

    def send_email(
        self,
        session: Session,
        to_email: str,
        subject: str,
        html_content: str,
        text_content: str | None = None,
        cc: list[str] | None = None,
        bcc: list[str] | None = None,
    ) -> bool:
        """Send one mail with HTML and plain-text parts now; False (and a log line) if it did not go out."""
        try:
            return self._send(session, to_email, subject, html_content, text_content, cc, bcc)
        except MailNotSent:
            return False

    def _send(
        self,
        session: Session,
        to_email: str,
        subject: str,
        html_content: str,
        text_content: str | None = None,
        cc: list[str] | None = None,
        bcc: list[str] | None = None,
    ) -> bool:
        """False for a mail that must not go out (no sender, no address, a suppressed one, a header with
        a line break); MailNotSent when SES did not take it."""
        if not self.is_configured():
            logger.warning("mail not sent: MAIL_FROM_EMAIL is not set")
            return False
        if to_email.endswith(UNDELIVERABLE_SUFFIX):
            logger.info("mail not sent: the account has no deliverable address")
            return False
        recipients = [to_email, *(cc or []), *(bcc or [])]
        if any(has_line_break(value) for value in [subject, *recipients]):
            logger.warning("mail refused: a header value contains a line break")
            return False
        blocked = self._suppressed(session, recipients)
        if to_email.lower() in blocked:
            logger.warning("mail not sent: the address is on the suppression list (bounce or complaint)")
            return False
        cc = [address for address in cc or [] if address.lower() not in blocked]
        bcc = [address for address in bcc or [] if address.lower() not in blocked]
        try:
            message = self.build_message(to_email, subject, html_content, text_content, cc, bcc)
            request: dict[str, Any] = {
                "FromEmailAddress": self._settings.MAIL_FROM_EMAIL,
                "Destination": {
                    "ToAddresses": [to_email],
                    "CcAddresses": list(cc or []),
                    "BccAddresses": list(bcc or []),
                },
                "Content": {"Raw": {"Data": message.as_bytes()}},
            }
            if self._settings.SES_CONFIGURATION_SET:
                request["ConfigurationSetName"] = self._settings.SES_CONFIGURATION_SET
            response = self.send_with_backoff(request)
        except Exception as exc:  # the seed's contract: a failed mail is False and a log line
            logger.error("mail not sent", extra={"error": type(exc).__name__, "detail": str(exc)[:200]})
            raise MailNotSent(type(exc).__name__) from exc
        logger.info("mail sent", extra={"message_id": response.get("MessageId"), "subject": subject})
        return True

    def send_later(
        self, session: Session, to_email: str, subject: str, template: str, **context: Any
    ) -> bool:
        """A transactional mail as a `mail.send` job on the mail queue (SQS retries it, then its DLQ); the
        session is committed. Without MAIL_QUEUE_URL, or when the queue refuses, it is sent now. True
        when it was queued or sent."""
        if self._settings.MAIL_QUEUE_URL and self.is_configured() and not has_line_break(subject + to_email):
            try:
                message = messages.MailSend(to=to_email, subject=subject, template=template, context=context)
                queue_service.send(session, message, queue=QueueName.MAIL)
                return True
            except (ValidationError, queue_service.QueueUnavailableError) as exc:
                logger.warning("mail not queued; sending it now", extra={"error": type(exc).__name__})
        html, text = render_mail(template, **context)
        return self.send_email(session, to_email, subject, html, text)

    def deliver(self, session: Session, message: messages.MailSend) -> bool:
        """The worker's part of a `mail.send`: render and send it; MailNotSent (SES did not take it) lets
        the queue deliver the job again. False for a mail that must not go out."""
        html, text = render_mail(message.template, **message.context)
        return self._send(session, message.to, message.subject, html, text)

    def send_with_backoff(self, request: dict[str, Any]) -> dict[str, Any]:
        """SES throttling (its per-second rate) is retried with exponential backoff and full jitter, up
        to MAIL_SEND_MAX_ATTEMPTS; any other error, or the last throttle, goes to the caller."""
        attempts = max(1, self._settings.MAIL_SEND_MAX_ATTEMPTS)
        for attempt in range(1, attempts + 1):
            try:
                return self.client.send_email(**request)
            except Exception as exc:
                code = getattr(exc, "response", {}).get("Error", {}).get("Code")
                if code not in THROTTLING_ERROR_CODES or attempt == attempts:
                    raise
                delay = random.uniform(0, self._settings.MAIL_RETRY_BASE_SECONDS * 2 ** (attempt - 1))  # noqa: S311
                logger.warning(
                    "SES throttled the send; retrying", extra={"attempt": attempt, "delay_s": delay}
                )
                self._sleep(delay)
        raise AssertionError("unreachable")

    def send_password_reset_email(self, session: Session, to_email: str, reset_token: str) -> bool:
        """Mail a password reset link carrying the URL-encoded token; it says how long the link lives
        (PASSWORD_RESET_EXPIRE_MINUTES, the lifetime the token is issued with)."""
        reset_url = (
            f"{self._settings.FRONTEND_URL.rstrip('/')}{PASSWORD_RESET_PATH}"
            f"?token={escape_url_param(reset_token)}"
        )
        expiry = lifetime_in_words(self._settings.PASSWORD_RESET_EXPIRE_MINUTES)
        return self.send_later(
            session, to_email, PASSWORD_RESET_SUBJECT, "password_reset", reset_url=reset_url, expiry=expiry
        )

    def send_magic_link_email(self, session: Session, to_email: str, token: str, expiry_minutes: int) -> bool:
        """Mail a single-use sign-in link carrying the URL-encoded token."""
        link = f"{self._settings.FRONTEND_URL.rstrip('/')}{MAGIC_LINK_PATH}?token={escape_url_param(token)}"
        return self.send_later(
            session,
            to_email,
            MAGIC_LINK_SUBJECT,
            "magic_link",
            magic_link_url=link,
            expiry=lifetime_in_words(expiry_minutes),
        )

    def verify_url(self, token: str) -> str:
        return f"{self._settings.FRONTEND_URL.rstrip('/')}{VERIFY_EMAIL_PATH}?token={escape_url_param(token)}"

    def send_welcome_email(
        self, session: Session, to_email: str, username: str, verify_token: str | None = None
    ) -> bool:
        """Mail the welcome message to a newly registered user, with the address verification link
        when the address still has to be proven."""
        return self.send_later(
            session,
            to_email,
            WELCOME_SUBJECT,
            "welcome",
            username=username,
            frontend_url=self._settings.FRONTEND_URL,
            verify_url=self.verify_url(verify_token) if verify_token else None,
            expiry_hours=self._settings.EMAIL_VERIFY_EXPIRE_HOURS,
        )

    def send_verification_email(self, session: Session, to_email: str, token: str) -> bool:
        """Mail a single-use link that proves the address belongs to the account."""
        expiry_hours = self._settings.EMAIL_VERIFY_EXPIRE_HOURS
        return self.send_later(
            session,
            to_email,
            VERIFY_EMAIL_SUBJECT,
            "verify_email",
            verify_url=self.verify_url(token),
            expiry_hours=expiry_hours,
        )


email_service = EmailService()
