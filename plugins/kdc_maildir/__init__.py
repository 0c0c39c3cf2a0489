"""Deliver mail into a Maildir folder instead of a mail server: for trials, demos and staging.

Config (``[plugins.maildir]`` in kdc.toml)::

    path = "/var/lib/kdc/mail"   # default: the instance folder's ``mail``

Each email is written whole, as the outbox holds it, into ``path/new/`` through the standard
Maildir steps (written to ``tmp/`` then renamed), so any mail client or ``mutt -f PATH`` can
read the folder, and a half-written file is never seen. Text messages are refused
permanently: a folder cannot send an SMS.
"""

from __future__ import annotations

import contextlib
import mailbox
from collections.abc import Callable, Iterator
from email.message import Message
from pathlib import Path

import attrs

from kdc_core import hookimpl
from kdc_core.config import Settings
from kdc_core.mail.delivery import DeliveryError, Mailer


@attrs.frozen
class MaildirConfig:
    """The ``[plugins.maildir]`` section."""

    path: str | None = None

    def folder(self, settings: Settings) -> Path:
        return Path(self.path) if self.path else settings.instance_path / "mail"


class MaildirTransport:
    """Adds each message to one Maildir folder; the reference is the file's key."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._box = mailbox.Maildir(folder, create=True)

    def send_raw(self, data: bytes, envelope_from: str, recipient: str) -> str:
        try:
            return str(self._box.add(data))
        except OSError as exc:
            raise DeliveryError(f"could not write to the Maildir {self.folder}: {exc}") from exc

    def send_email(self, message: Message) -> str:
        return self.send_raw(message.as_bytes(), "", "")

    def send_sms(self, phone: str, text: str) -> str:
        raise DeliveryError("the maildir mailer cannot send text messages", permanent=True)


@contextlib.contextmanager
def open_maildir(settings: Settings) -> Iterator[MaildirTransport]:
    folder = settings.plugin_config("maildir", into=MaildirConfig).folder(settings)
    try:
        transport = MaildirTransport(folder)
    except OSError as exc:
        raise DeliveryError(f"could not open the Maildir {folder}: {exc}") from exc
    yield transport


@hookimpl
def kdc_check_config(settings: Settings) -> None:
    settings.plugin_config("maildir", into=MaildirConfig)


@hookimpl
def kdc_register_mailers(register: Callable[[Mailer], None]) -> None:
    register(
        Mailer(name="maildir", help="Write each message into a Maildir folder", open=open_maildir)
    )
