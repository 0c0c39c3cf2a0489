"""Render an issue's bodies: HTML (inline CSS, tables, escaped) plus plain text.

An issue is its ward's frame (``issue.html``, ``issue.txt``) around the sections its reader
gets (``section.html``, ``section.txt``: a title, entries, a stop link). All of that is the same for
every councillor of a ward, so it is rendered once per ward (and once for each way a
section's entries are filtered by topic); only the reader's name and signed links differ.
They are rendered as slots (:class:`Slotted`) and filled in for each issue, escaped for HTML
as the templates would have escaped them. The message around the bodies is
:func:`kdc_core.mail.message.render_eml`.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from functools import lru_cache

import attrs
import jinja2
from markupsafe import Markup, escape

from kdc_core.newsletter.values import SectionItem

# What differs per reader is rendered as a marker that no text can contain by chance (it
# holds a random token) and that escaping leaves alone; :class:`Slotted` cuts at them.
_TOKEN = secrets.token_hex(8)
RECIPIENT, UNSUBSCRIBE, STOP, SECTIONS = 0, 1, 2, 3
_MARKER = re.compile(f"\x00{_TOKEN}:([0-9])\x00")


def _marker(slot: int) -> Markup:
    return Markup(f"\x00{_TOKEN}:{slot}\x00")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """Jinja2 with autoescape on for HTML: every value from the database is escaped.

    The templates are compiled once per process and not checked for changes again.
    """
    return jinja2.Environment(
        loader=jinja2.PackageLoader("kdc_core.newsletter", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


@lru_cache(maxsize=8)
def _template(name: str) -> jinja2.Template:
    return environment().get_template(name)


@attrs.frozen
class Slotted:
    """Rendered text cut at its slots: literal pieces, and slot numbers to fill in."""

    pieces: tuple[str | int, ...]

    @classmethod
    def cut(cls, rendered: str) -> Slotted:
        parts = _MARKER.split(rendered)
        return cls(tuple(int(p) if n % 2 else p for n, p in enumerate(parts) if p))

    def fill(self, values: Sequence[str]) -> str:
        """The text with slot ``n`` replaced by ``values[n]`` (as given: escape beforehand)."""
        return "".join([p if isinstance(p, str) else values[p] for p in self.pieces])


@attrs.frozen
class RenderedSection:
    """A section with its entries, rendered, with a slot for the reader's stop link."""

    topic: str
    html: Slotted
    text: Slotted


@attrs.frozen
class Frame:
    """A ward's issue around its sections, with slots for the reader's name, unsubscribe
    link and sections."""

    html: Slotted
    text: Slotted


def render_section(title: str, topic: str, items: Sequence[SectionItem]) -> RenderedSection:
    """A section as its readers get it: its title, its entries and its stop link."""
    context = {"title": title, "items": items, "stop_url": _marker(STOP)}
    html = _template("section.html").render(context)
    text = _template("section.txt").render(context)
    return RenderedSection(topic, Slotted.cut(html), Slotted.cut(text))


def render_frame(*, ward: str, month_label: str, council: str, subject: str) -> Frame:
    """What every issue of a ward has around its sections."""
    context = {
        "ward": ward,
        "month_label": month_label,
        "council": council,
        "subject": subject,
        "recipient": _marker(RECIPIENT),
        "unsubscribe_url": _marker(UNSUBSCRIBE),
        "sections": _marker(SECTIONS),
    }
    html = _template("issue.html").render(context)
    text = _template("issue.txt").render(context)
    return Frame(Slotted.cut(html), Slotted.cut(text))


def render_bodies(
    frame: Frame,
    sections: Sequence[RenderedSection],
    *,
    recipient: str,
    stop_urls: dict[str, str],
    unsubscribe_url: str,
) -> tuple[str, str]:
    """One reader's HTML and text: the frame and sections with the reader's values."""
    escaped = {t: str(escape(u)) for t, u in stop_urls.items()}
    html_values = [str(escape(recipient)), str(escape(unsubscribe_url)), "", ""]
    html_values[SECTIONS] = "".join([s.html.fill(("", "", escaped[s.topic])) for s in sections])
    text_values = [recipient, unsubscribe_url, "", ""]
    text_values[SECTIONS] = "".join([s.text.fill(("", "", stop_urls[s.topic])) for s in sections])
    return frame.html.fill(html_values), frame.text.fill(text_values)
