"""Render an issue's bodies: HTML (inline CSS, tables, escaped) plus plain text.

The message around them is :func:`kdc_core.mail.message.render_eml`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import jinja2

from kdc_core.newsletter.values import FilledSection


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
