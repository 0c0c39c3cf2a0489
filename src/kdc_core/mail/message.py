"""A message as bytes (RFC 5322 with MIME parts) or as an :class:`email.message.Message`."""

from __future__ import annotations

import base64
import email
import email.utils
import secrets
from email.message import Message
from functools import lru_cache
from typing import Any


def render_eml(
    *,
    sender: str,
    to: str,
    subject: str,
    html: str | None,
    text: str,
    unsubscribe_url: str | None = None,
    message_id: str | None = None,
    date: str | None = None,
) -> bytes:
    """The message's bytes (CRLF line ends): multipart/alternative, text first and HTML last
    as RFC 2046 orders them, each part UTF-8 in base64; plain text alone without ``html``.

    With ``unsubscribe_url`` it carries ``List-Unsubscribe`` and ``List-Unsubscribe-Post:
    List-Unsubscribe=One-Click`` (RFC 8058). ``date`` is the Date header (default: now).
    Written out directly rather than through
    :mod:`email`'s generator, which spends milliseconds a message re-encoding headers.
    """
    headers = [
        ("From", _header(sender)),
        ("To", _header(to)),
        ("Subject", _header(subject)),
        ("Date", date or email.utils.formatdate(localtime=False)),
        ("Message-ID", message_id or email.utils.make_msgid(domain="kdc.invalid")),
    ]
    if unsubscribe_url:
        headers.append(("List-Unsubscribe", f"<{unsubscribe_url}>"))
        headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    headers.append(("MIME-Version", "1.0"))
    lines = [f"{name}: {value}" for name, value in headers]
    if html is None:
        lines += [*_part_headers("plain"), "", _base64(text)]
    else:
        boundary = f"=_kdc_{secrets.token_hex(12)}"
        lines += [
            f'Content-Type: multipart/alternative; boundary="{boundary}"',
            "",
            f"--{boundary}",
            *_part_headers("plain"),
            "",
            _base64(text),
            f"--{boundary}",
            *_part_headers("html"),
            "",
            _base64(html),
            f"--{boundary}--",
            "",
        ]
    return "\r\n".join(lines).encode("ascii")


def make_message(**kwargs: Any) -> Message:
    """:func:`render_eml` parsed back into a :class:`email.message.Message`."""
    return email.message_from_bytes(render_eml(**kwargs))


def _part_headers(subtype: str) -> list[str]:
    return [
        f'Content-Type: text/{subtype}; charset="utf-8"',
        "Content-Transfer-Encoding: base64",
    ]


def _base64(text: str) -> str:
    """Base64 in lines of 76 characters (57 bytes each, as ``encodebytes`` makes them), CRLF
    between lines: encoded in one call, then cut."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    encoded = base64.b64encode(text.replace("\n", "\r\n").encode()).decode("ascii")
    return "\r\n".join([encoded[i : i + 76] for i in range(0, len(encoded), 76)])


@lru_cache(maxsize=1024)
def _header(value: str) -> str:
    """ASCII as it is; otherwise RFC 2047 encoded words, keeping an address readable.

    Remembered: a batch repeats its sender and each ward's subject for every message."""
    value = " ".join(value.split())
    if value.isascii():
        return value
    name, address = email.utils.parseaddr(value)
    if address and value.endswith(f"<{address}>") and address.isascii():
        return email.utils.formataddr((name, address), charset="utf-8")
    return _encoded_words(value)


def _encoded_words(value: str) -> str:
    """RFC 2047 base64 encoded words, each under 75 characters, never splitting a character."""
    words, chunk = [], ""
    for char in value:
        if len((chunk + char).encode()) > 45:
            words.append(chunk)
            chunk = ""
        chunk += char
    words.append(chunk)
    return " ".join(
        f"=?utf-8?b?{base64.b64encode(w.encode()).decode('ascii')}?=" for w in words if w
    )
