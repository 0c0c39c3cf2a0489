"""Render an issue: HTML (inline CSS, tables, escaped) plus plain text, as one MIME message."""

from __future__ import annotations

import email.policy
import email.utils
from collections.abc import Sequence
from email.message import EmailMessage
from functools import lru_cache
from typing import Any

import jinja2

from kdc_core.newsletter.values import FilledSection

_POLICY = email.policy.SMTP.clone(linesep="\r\n")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """Jinja2 with autoescape on for HTML: every value from the database is escaped."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("kdc_core.newsletter", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_bodies(
    *,
    ward: str,
    month_label: str,
    recipient: str,
    council: str,
    sections: Sequence[FilledSection],
    stop_urls: dict[str, str],
    unsubscribe_url: str,
    subject: str,
) -> tuple[str, str]:
    env = environment()
    context: dict[str, Any] = {
        "ward": ward,
        "month_label": month_label,
        "recipient": recipient,
        "council": council,
        "subject": subject,
        "unsubscribe_url": unsubscribe_url,
        "sections": [
            {"title": s.title, "entries": s.items, "stop_url": stop_urls[s.topic]} for s in sections
        ],
    }
    html = env.get_template("issue.html").render(context)
    text = env.get_template("issue.txt").render(context)
    return html, text


def make_message(
    *,
    sender: str,
    to: str,
    subject: str,
    html: str | None,
    text: str,
    unsubscribe_url: str | None = None,
    message_id: str | None = None,
) -> EmailMessage:
    """A multipart/alternative message (text first, HTML last, as RFC 2046 orders them).

    With ``unsubscribe_url`` it carries ``List-Unsubscribe`` and ``List-Unsubscribe-Post:
    List-Unsubscribe=One-Click`` (RFC 8058).
    """
    msg = EmailMessage(policy=_POLICY)
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = email.utils.formatdate(localtime=False)
    msg["Message-ID"] = message_id or email.utils.make_msgid(domain="kdc.invalid")
    if unsubscribe_url:
        msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(text, subtype="plain", charset="utf-8")
    if html is not None:
        msg.add_alternative(html, subtype="html", charset="utf-8")
    return msg
