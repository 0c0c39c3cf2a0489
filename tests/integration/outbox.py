"""An in-memory mailer for tests: the plugin registers the mailer ``outbox``, whose transport
keeps every email and text it is given."""

from __future__ import annotations

import contextlib
import email.utils
from collections.abc import Iterator
from email.message import Message

from kdc_core import hookimpl
from kdc_core.mail.delivery import Mailer


class Outbox:
    """A transport that keeps what it is given, and counts how often it was opened."""

    def __init__(self) -> None:
        self.emails: list[Message] = []
        self.texts: list[tuple[str, str]] = []
        self.opened = 0

    def send_email(self, message: Message) -> str:
        self.emails.append(message)
        return f"outbox-{len(self.emails)}"

    def send_sms(self, phone: str, text: str) -> str:
        self.texts.append((phone, text))
        return f"sms-{len(self.texts)}"

    def to(self) -> list[str]:
        """The display names the emails were addressed to."""
        return [email.utils.parseaddr(m["To"])[0] for m in self.emails]

    def body(self, name: str) -> str:
        """The text of the one email addressed to ``name``."""
        (message,) = [m for m in self.emails if email.utils.parseaddr(m["To"])[0] == name]
        if message.is_multipart():  # a letter: its plain-text part
            message = next(p for p in message.walk() if p.get_content_type() == "text/plain")
        payload = message.get_payload(decode=True)
        assert isinstance(payload, bytes), message
        return payload.decode(message.get_content_charset() or "utf-8")


class OutboxMailer:
    """A plugin registering the mailer ``outbox``, which delivers into :attr:`outbox`."""

    def __init__(self) -> None:
        self.outbox = Outbox()

    @hookimpl
    def kdc_register_mailers(self, register):
        @contextlib.contextmanager
        def open_outbox(settings) -> Iterator[Outbox]:
            self.outbox.opened += 1
            yield self.outbox

        register(Mailer(name="outbox", help="Keep messages in memory", open=open_outbox))


def record_sent(
    session, *, key: str, kind: str, councillor_id: int, at, channel: str = "email"
) -> None:
    """An outbox message already sent at ``at`` (what a dispatch leaves behind)."""
    from kdc_core.db.outbox import OutboxMessageRow

    session.add(
        OutboxMessageRow(
            key=key,
            kind=kind,
            channel=channel,
            mailer="outbox",
            recipient="someone@x.test",
            recipient_name="Someone",
            councillor_id=councillor_id,
            subject="s",
            body=b"",
            status="sent",
            attempts=1,
            created_at=at,
            next_attempt_at=at,
            sent_at=at,
        )
    )
    session.flush()
