"""The local mail outbox: what the emulated SES accepted, as JSON at /_local/outbox and as .eml files."""

import threading
from email import message_from_string, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from moto.ses.models import RawMessage, ses_backends
from pydantic import BaseModel

from infra.local.aws import ACCOUNT_ID
from shared.config import get_utc_now, settings


class OutboxMail(BaseModel):
    message_id: str
    sender: str
    to: list[str]
    subject: str
    text: str | None
    html: str | None
    sent_at: str


def _body(message: EmailMessage, subtype: str) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    return part.get_content() if part is not None else None


class Outbox:
    """Mirrors moto's sent messages into `.eml` files, in the order SES accepted them."""

    def __init__(self, directory: Path, region: str) -> None:
        self.directory = directory
        self.region = region
        self._mails: list[OutboxMail] = []
        self._lock = threading.Lock()

    def _sent_messages(self) -> list[Any]:
        return list(ses_backends[ACCOUNT_ID][self.region].sent_messages)

    def sync(self) -> list[OutboxMail]:
        """Record messages SES accepted since the last call; return them all, newest last."""
        with self._lock:
            for sent in self._sent_messages()[len(self._mails) :]:
                self._mails.append(self._record(sent))
            return list(self._mails)

    def _record(self, sent: Any) -> OutboxMail:
        sent_at = get_utc_now().isoformat()
        if isinstance(sent, RawMessage):
            message = message_from_string(sent.raw_data, policy=policy.default)
            assert isinstance(message, EmailMessage)
            mail = OutboxMail(
                message_id=sent.id,
                sender=str(message["From"]),
                to=list(dict.fromkeys(sent.destinations)),  # moto lists header and envelope recipients
                subject=str(message["Subject"]),
                text=_body(message, "plain"),
                html=_body(message, "html"),
                sent_at=sent_at,
            )
            raw = sent.raw_data
        else:  # SES "Simple" content
            destinations = [a for addresses in sent.destinations.values() for a in addresses]
            mail = OutboxMail(
                message_id=sent.id,
                sender=sent.source,
                to=destinations,
                subject=sent.subject,
                text=None,
                html=sent.body,
                sent_at=sent_at,
            )
            raw = (
                f"From: {sent.source}\nTo: {', '.join(destinations)}\nSubject: {sent.subject}\n\n{sent.body}"
            )
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / f"{len(self._mails) + 1:05d}-{sent.id}.eml").write_text(raw, encoding="utf-8")
        return mail


def watch_outbox(outbox: Outbox, stop: threading.Event) -> None:
    """Background loop: keep the .eml files current even when nobody reads /_local/outbox."""
    while not stop.wait(0.5):
        outbox.sync()


def build_outbox_router(outbox: Outbox) -> APIRouter:
    router = APIRouter(prefix="/_local", tags=["local"])

    @router.get("/outbox", response_model=list[OutboxMail], summary="Mails SES accepted, newest last")
    def read_outbox() -> list[OutboxMail]:
        return outbox.sync()

    return router


def default_outbox(directory: Path) -> Outbox:
    return Outbox(directory, settings.AWS_REGION)
