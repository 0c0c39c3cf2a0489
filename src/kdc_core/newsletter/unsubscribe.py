"""Signed one-click unsubscribe links (RFC 8058).

A link names a councillor and a topic and carries an HMAC-SHA256 over both, keyed with the
web app's secret key (``KDC_SECRET_KEY``, else ``<instance>/secret_key``). Nobody can make a
link for someone else without the key, so the link itself is the proof: that is why the
one-click endpoint takes a POST without a CSRF token (mail clients cannot send one).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from kdc_core.config import Settings
from kdc_core.errors import ConfigError

_PREFIX = "u1"


def signing_key(settings: Settings) -> bytes:
    """The secret key shared with the web app, created once in the instance folder if unset."""
    key = settings.environ.get("KDC_SECRET_KEY")
    if key:
        return key.encode()
    path = settings.instance_path / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
    text = path.read_text(encoding="utf-8").strip()
    if len(text) < 32:
        raise ConfigError(f"{path}: the secret key is too short", key=str(path))
    return text.encode()


def _mac(key: bytes, payload: str) -> str:
    digest = hmac.digest(key, payload.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def make_token(key: bytes, councillor_id: int, topic: str) -> str:
    payload = f"{_PREFIX}.{councillor_id}.{topic}"
    return f"{payload}.{_mac(key, payload)}"


def read_token(key: bytes, token: str) -> tuple[int, str] | None:
    """``(councillor_id, topic)`` for a genuine token, else ``None``."""
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != _PREFIX or not parts[1].isdigit():
        return None
    payload = ".".join(parts[:3])
    if not hmac.compare_digest(_mac(key, payload), parts[3]):
        return None
    return int(parts[1]), parts[2]


def unsubscribe_url(settings: Settings, key: bytes, councillor_id: int, topic: str) -> str:
    token = make_token(key, councillor_id, topic)
    return f"{settings.base_url.rstrip('/')}/newsletter/unsubscribe/{token}"
