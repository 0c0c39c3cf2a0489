"""Mailers: the delivery methods plugins register, shared by newsletters and briefings.

A :class:`Mailer` opens a :class:`Transport` for one run (so an SMTP plugin can keep one
connection for every message).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from email.message import Message
from typing import TYPE_CHECKING, Protocol

import attrs

from kdc_core.config import Settings
from kdc_core.errors import KdcError

if TYPE_CHECKING:
    from kdc_core.app import Kdc


class Transport(Protocol):
    """An open way to send; ``send_email`` returns the provider's reference for the message."""

    def send_email(self, message: Message) -> str: ...

    def send_sms(self, phone: str, text: str) -> str: ...


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
    """A message could not be delivered after the mailer's retries."""


def pick_mailer(kdc: Kdc, name: str | None) -> Mailer:
    from kdc_core.newsletter.values import NewsletterConfig

    registry = kdc.mailers
    if name is None:
        name = kdc.settings.plugin_config("newsletter", into=NewsletterConfig).mailer
    if name not in registry:
        known = ", ".join(registry.names()) or "none installed"
        raise KdcError(f"no mailer called {name!r} (mailers: {known})")
    return registry[name]
