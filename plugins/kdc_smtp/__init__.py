"""Deliver mail over SMTP: one connection per run, STARTTLS, login, retries.

Config (``[plugins.smtp]`` in kdc.toml)::

    host = "smtp.example.gov.uk"   # default 127.0.0.1
    port = 587                     # default 25
    starttls = true                # upgrade the connection before sending (default false)
    username = "newsletter"        # optional; with password
    password = {"$env" = "KDC_SMTP_PASSWORD"}
    retries = 3                    # attempts after the first on a temporary failure
    timeout = 30                   # seconds

A temporary failure (a 4xx answer, a dropped or refused connection) is retried on a fresh
connection, waiting 0.2 s, 0.4 s, … between attempts; a permanent one (5xx) stops the run.
The core records each message as soon as the server accepts it, so a re-run sends nothing twice.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
import time
from collections.abc import Callable, Iterator
from email.message import Message
from typing import Any

import attrs

from kdc_core import hookimpl
from kdc_core.config import Settings
from kdc_core.mail.delivery import DeliveryError, Mailer
from kdc_core.plugin_config import setting


def _not_negative(value: int) -> bool:
    return value >= 0


@attrs.frozen
class SmtpConfig:
    """The ``[plugins.smtp]`` section."""

    host: str = "127.0.0.1"
    port: int = setting(25, expect="a port number", check=_not_negative)
    starttls: bool = False
    username: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    retries: int = setting(3, expect="0 or more", check=_not_negative)
    timeout: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpConfig:
        return settings.plugin_config("smtp", into=cls)


class SmtpTransport:
    """One SMTP connection, reopened when it drops; counts what it did for tests and logs."""

    def __init__(self, config: SmtpConfig, connect: Callable[..., smtplib.SMTP] = smtplib.SMTP):
        self.config = config
        self._connect = connect
        self._smtp: smtplib.SMTP | None = None
        self.connections = 0

    def _open(self) -> smtplib.SMTP:
        if self._smtp is None:
            smtp = self._connect(self.config.host, self.config.port, timeout=self.config.timeout)
            self.connections += 1
            if self.config.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.config.username:
                smtp.login(self.config.username, self.config.password or "")
            self._smtp = smtp
        return self._smtp

    def _drop(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(Exception):
                self._smtp.close()
        self._smtp = None

    def send_email(self, message: Message) -> str:
        def send(smtp: smtplib.SMTP) -> str:
            smtp.send_message(message)
            return str(message["Message-ID"])

        return self._attempt(send)

    def send_raw(self, data: bytes, envelope_from: str, recipient: str) -> str:
        """Send the message's bytes as they are (the outbox's path: no re-encoding)."""

        def send(smtp: smtplib.SMTP) -> str:
            smtp.sendmail(envelope_from, [recipient], data)
            return ""

        return self._attempt(send)

    def _attempt(self, send: Callable[[smtplib.SMTP], str]) -> str:
        last: Exception | None = None
        for attempt in range(self.config.retries + 1):
            if attempt:
                time.sleep(0.2 * 2 ** (attempt - 1))
            try:
                return send(self._open())
            except smtplib.SMTPResponseException as exc:
                if exc.smtp_code >= 500:
                    raise DeliveryError(
                        f"{self.config.host}:{self.config.port} refused the message: "
                        f"{exc.smtp_code} {exc.smtp_error!r}",
                        permanent=True,
                    ) from exc
                last = exc
                self._drop()
            except smtplib.SMTPRecipientsRefused as exc:
                codes = [code for code, _ in exc.recipients.values()]
                if codes and all(code >= 500 for code in codes):
                    raise DeliveryError(
                        f"{self.config.host}:{self.config.port} refused the recipient: "
                        f"{', '.join(str(c) for c in codes)}",
                        permanent=True,
                    ) from exc
                last = exc
                self._drop()
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                last = exc
                self._drop()
        raise DeliveryError(
            f"could not deliver through {self.config.host}:{self.config.port} after "
            f"{self.config.retries + 1} attempts: {last}"
        )

    def send_sms(self, phone: str, text: str) -> str:
        raise DeliveryError(
            "the smtp mailer cannot send text messages; use a Notify mailer", permanent=True
        )

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(Exception):
                self._smtp.quit()
        self._drop()


@contextlib.contextmanager
def open_smtp(settings: Settings) -> Iterator[Any]:
    transport = SmtpTransport(SmtpConfig.from_settings(settings))
    try:
        yield transport
    finally:
        transport.close()


@hookimpl
def kdc_check_config(settings: Settings) -> None:
    SmtpConfig.from_settings(settings)


@hookimpl
def kdc_register_mailers(register: Callable[[Mailer], None]) -> None:
    register(Mailer(name="smtp", help="Send through an SMTP server", open=open_smtp))
