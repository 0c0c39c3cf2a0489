"""Deliver mail and text messages through GOV.UK Notify's v2 API.

Config (``[plugins.notify]`` in kdc.toml)::

    api_key = {"$env" = "KDC_NOTIFY_API_KEY"}   # "{key name}-{service id}-{secret}"
    email_template_id = "…"   # a template whose subject is ((subject)) and body is ((body))
    sms_template_id = "…"     # a template whose body is ((body))
    base_url = "https://api.notifications.service.gov.uk"   # the default
    retries = 3
    timeout = 30

Notify sends its own templates, not our MIME messages: an email goes out as the message's
subject and plain-text part, through a template made of the two placeholders. Each request
carries a fresh JWT (HS256; ``iss`` the service id, ``iat`` now — Notify refuses tokens more
than 30 seconds old) and the message's reference (its Message-ID). 429 and 5xx answers are
retried; other errors stop the run with Notify's own message.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from email.message import Message
from typing import Any

import attrs

from kdc_core import hookimpl
from kdc_core.config import Settings
from kdc_core.mail.delivery import DeliveryError, Mailer
from kdc_core.plugin_config import setting

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.notifications.service.gov.uk"
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_KEY = re.compile(rf"(?P<name>.+)-(?P<service>{_UUID})-(?P<secret>{_UUID})")


@attrs.frozen
class NotifySection:
    """The ``[plugins.notify]`` section as written; :class:`NotifyConfig` is what it means."""

    api_key: str = setting(
        repr=False,
        expect="a Notify API key ({key name}-{service id}-{secret key}); "
        "set it from the environment",
        check=lambda v: _KEY.fullmatch(v) is not None,
    )
    email_template_id: str | None = None
    sms_template_id: str | None = None
    base_url: str = DEFAULT_BASE_URL
    retries: int = setting(3, expect="0 or more", check=lambda v: v >= 0)
    timeout: float = 30.0


@attrs.frozen
class NotifyConfig:
    service_id: str
    secret: str = attrs.field(repr=False)
    email_template_id: str | None = None
    sms_template_id: str | None = None
    base_url: str = DEFAULT_BASE_URL
    retries: int = 3
    timeout: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> NotifyConfig:
        section = settings.plugin_config("notify", into=NotifySection)
        match = _KEY.fullmatch(section.api_key)
        assert match is not None  # checked when the section was read
        return cls(
            service_id=match["service"],
            secret=match["secret"],
            email_template_id=section.email_template_id,
            sms_template_id=section.sms_template_id,
            base_url=section.base_url.rstrip("/"),
            retries=section.retries,
            timeout=section.timeout,
        )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_jwt(service_id: str, secret: str, now: float | None = None) -> str:
    """An HS256 JWT with ``iss`` = the service id and ``iat`` = now, as Notify requires."""
    header = _b64(json.dumps({"typ": "JWT", "alg": "HS256"}, separators=(",", ":")).encode())
    claims = {"iss": service_id, "iat": int(time.time() if now is None else now)}
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode("ascii")
    signature = hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


class NotifyTransport:
    """Posts to ``/v2/notifications/email`` and ``/v2/notifications/sms``."""

    def __init__(self, config: NotifyConfig) -> None:
        self.config = config
        self.requests = 0

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        # Imported here: every ``kdc`` command loads this plugin to check its config.
        import urllib.error
        import urllib.request

        data = json.dumps(body).encode()
        last = ""
        for attempt in range(self.config.retries + 1):
            if attempt:
                time.sleep(0.2 * 2 ** (attempt - 1))
            token = make_jwt(self.config.service_id, self.config.secret)
            request = urllib.request.Request(
                self.config.base_url + path,
                data=data,
                method="POST",
                headers={
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/json",
                    "User-Agent": "kdc-core-notify",
                },
            )
            self.requests += 1
            try:
                with urllib.request.urlopen(request, timeout=self.config.timeout) as response:
                    answer: dict[str, Any] = json.loads(response.read())
                    return answer
            except urllib.error.HTTPError as exc:
                last = f"{exc.code} {_errors(exc.read())}"
                if exc.code != 429 and exc.code < 500:
                    raise DeliveryError(f"Notify refused {path}: {last}", permanent=True) from exc
                why = f"answered {exc.code}"
            except OSError as exc:
                last = str(exc)
                why = type(exc).__name__
            log.warning(
                "Notify %s: attempt %d of %d failed (%s)",
                path,
                attempt + 1,
                self.config.retries + 1,
                why,
                extra={"mailer": "notify", "attempt": attempt + 1, "error": why},
            )
        raise DeliveryError(
            f"Notify did not accept {path} after {self.config.retries + 1} attempts: {last}"
        )

    def send_email(self, message: Message) -> str:
        if not self.config.email_template_id:
            raise DeliveryError("plugins.notify.email_template_id is not set", permanent=True)
        to = email_address(message["To"])
        plain = next((p for p in message.walk() if p.get_content_type() == "text/plain"), None)
        payload = plain.get_payload(decode=True) if plain is not None else b""
        body = payload.decode("utf-8") if isinstance(payload, bytes) else ""
        answer = self._post(
            "/v2/notifications/email",
            {
                "email_address": to,
                "template_id": self.config.email_template_id,
                "personalisation": {"subject": _subject(message), "body": body},
                "reference": str(message["Message-ID"] or ""),
            },
        )
        return str(answer["id"])

    def send_sms(self, phone: str, text: str) -> str:
        if not self.config.sms_template_id:
            raise DeliveryError("plugins.notify.sms_template_id is not set", permanent=True)
        answer = self._post(
            "/v2/notifications/sms",
            {
                "phone_number": phone,
                "template_id": self.config.sms_template_id,
                "personalisation": {"body": text},
            },
        )
        return str(answer["id"])


def email_address(header: str | None) -> str:
    import email.utils

    return email.utils.parseaddr(header or "")[1]


def _subject(message: Message) -> str:
    import email.header

    raw = message["Subject"] or ""
    return str(email.header.make_header(email.header.decode_header(raw)))


def _errors(body: bytes) -> str:
    try:
        data = json.loads(body)
        return "; ".join(f"{e['error']}: {e['message']}" for e in data["errors"])
    except (ValueError, KeyError, TypeError):
        return body[:200].decode("utf-8", "replace")


@contextlib.contextmanager
def open_notify(settings: Settings) -> Iterator[Any]:
    yield NotifyTransport(NotifyConfig.from_settings(settings))


@hookimpl
def kdc_check_config(settings: Settings) -> None:
    if settings.plugin_sections.get("notify"):
        NotifyConfig.from_settings(settings)


def sends_sms(settings: Settings) -> bool:
    """Text messages go out only when a Notify SMS template is configured."""
    section = settings.plugin_sections.get("notify", {})
    return bool(section.get("sms_template_id"))


@hookimpl
def kdc_register_mailers(register: Callable[[Mailer], None]) -> None:
    register(
        Mailer(
            name="notify",
            help="Send through GOV.UK Notify",
            open=open_notify,
            sends_sms=sends_sms,
        )
    )
