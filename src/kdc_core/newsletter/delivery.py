"""Delivery through mailers registered by plugins, once per recipient.

A :class:`Mailer` opens a :class:`Transport` for one run (so an SMTP plugin can keep one
connection for every message). The core records each send in the database straight after the
transport accepts it, in its own short transaction, so a run that stops half way and is run
again sends only what is left: nothing goes twice.
"""

from __future__ import annotations

import contextlib
import email
from collections.abc import Callable, Iterator
from email.message import Message
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import attrs
from sqlalchemy import select, update

from kdc_core.config import Settings
from kdc_core.db.base import utcnow
from kdc_core.db.newsletters import NewsletterIssueRow
from kdc_core.errors import KdcError
from kdc_core.interchange import Registry
from kdc_core.newsletter.values import BuiltIssue

if TYPE_CHECKING:
    from kdc_core.app import Kdc


class Transport(Protocol):
    """An open way to send; ``send_email`` returns the provider's reference for the message.

    A transport may also offer ``send_raw(data, envelope_from, recipient) -> str``, taking
    the message's bytes as they are (see :class:`RawTransport`); the outbox uses it when
    present, which spares parsing and re-serialising every message.
    """

    def send_email(self, message: Message) -> str: ...

    def send_sms(self, phone: str, text: str) -> str: ...


@runtime_checkable
class RawTransport(Transport, Protocol):
    """A transport that sends a message's bytes unchanged to one envelope recipient."""

    def send_raw(self, data: bytes, envelope_from: str, recipient: str) -> str: ...


@attrs.frozen
class Mailer:
    """A delivery method a plugin registers with ``kdc_register_mailers``.

    :ivar open: ``open(settings)`` → a context manager yielding a :class:`Transport`; it
        reads its own ``[plugins.NAME]`` section.
    """

    name: str
    help: str
    open: Callable[[Settings], contextlib.AbstractContextManager[Transport]] = attrs.field(eq=False)


class DeliveryError(KdcError):
    """A message could not be delivered after the mailer's retries.

    :ivar permanent: trying again will not help (the server refused the address or the
        message); otherwise the failure is temporary and the outbox tries again later.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def mailers(kdc: Kdc) -> Registry[Mailer]:
    registry: Registry[Mailer] = Registry("mailer")
    kdc.pm.hook.kdc_register_mailers(register=registry.register)
    return registry


def pick_mailer(kdc: Kdc, name: str | None) -> Mailer:
    registry = mailers(kdc)
    if name is None:
        name = str(kdc.settings.plugin_config("newsletter").get("mailer", "smtp"))
    if name not in registry:
        known = ", ".join(registry.names()) or "none installed"
        raise KdcError(f"no mailer called {name!r} (mailers: {known})")
    return registry[name]


@attrs.frozen
class SendReport:
    sent: tuple[str, ...]
    skipped: tuple[str, ...]


def send_issues(kdc: Kdc, issues: list[BuiltIssue], mailer: Mailer) -> SendReport:
    """Send each issue not already sent; record each send as soon as it is accepted."""
    sent: list[str] = []
    skipped: list[str] = []
    with _transport(kdc, mailer) as transport:
        for issue in issues:
            who = f"{issue.recipient.name} ({issue.ward_name}, {issue.month})"
            if not issue.recipient.email or _already_sent(kdc, issue):
                skipped.append(who)
                continue
            message = email.message_from_bytes(issue.eml)
            reference = transport.send_email(message)
            with kdc.unit_of_work(source="newsletter") as uow:
                uow.session.execute(
                    update(NewsletterIssueRow)
                    .where(
                        NewsletterIssueRow.ward_id == issue.ward_id,
                        NewsletterIssueRow.month == issue.month,
                        NewsletterIssueRow.councillor_id == issue.recipient.councillor_id,
                    )
                    .values(sent_at=utcnow(), reference=reference[:200])
                )
            sent.append(who)
    return SendReport(tuple(sent), tuple(skipped))


@contextlib.contextmanager
def _transport(kdc: Kdc, mailer: Mailer) -> Iterator[Transport]:
    with mailer.open(kdc.settings) as transport:
        yield transport


def _already_sent(kdc: Kdc, issue: BuiltIssue) -> bool:
    with kdc.unit_of_work(source="newsletter", dry_run=True) as uow:
        return (
            uow.session.scalar(
                select(NewsletterIssueRow.sent_at).where(
                    NewsletterIssueRow.ward_id == issue.ward_id,
                    NewsletterIssueRow.month == issue.month,
                    NewsletterIssueRow.councillor_id == issue.recipient.councillor_id,
                )
            )
            is not None
        )
