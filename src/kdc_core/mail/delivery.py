"""Mailers: the delivery methods plugins register, shared by newsletters and briefings.

A :class:`Mailer` opens a :class:`Transport` for one run (so an SMTP plugin can keep one
connection for every message).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from email.message import Message
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import attrs

from kdc_core.config import Settings
from kdc_core.errors import KdcError

if TYPE_CHECKING:
    from kdc_core.registry import Registry


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
    :ivar sends_sms: ``sends_sms(settings)`` → whether, as configured, it can send text
        messages; ``None`` for a mailer that never can (email only).
    """

    name: str
    help: str
    open: Callable[[Settings], contextlib.AbstractContextManager[Transport]] = attrs.field(eq=False)
    sends_sms: Callable[[Settings], bool] | None = attrs.field(default=None, eq=False)


def sms_available(settings: Settings, mailers: Registry[Mailer]) -> bool:
    """Whether text messages can go out: the configured mailer (``[mail] mailer``) is
    installed and says it can send them as configured. Councillors are offered text
    messages only when this is true."""
    name = settings.mail.mailer
    mailer = mailers[name] if name and name in mailers else None
    return bool(mailer is not None and mailer.sends_sms is not None and mailer.sends_sms(settings))


class DeliveryError(KdcError):
    """A message could not be delivered after the mailer's retries.

    :ivar permanent: trying again will not help (the server refused the address or the
        message); otherwise the failure is temporary and the outbox tries again later.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
