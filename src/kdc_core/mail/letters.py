"""Every message kdc-core sends, in one layout: HTML and plain text from the same parts.

A :class:`Letter` is what a message says — a heading, paragraphs, a few labelled facts
(reference, named officer, dates), optional sections of bullet points, a link and the line
saying why the person gets it. :func:`render` lays it out as HTML (inline styles, escaped by
Jinja's autoescape) and as plain text, with the council's name. Times are written by the
caller in the council's time zone with :mod:`kdc_core.timewords` (GOV.UK words, as on the
site: ``Tuesday 6 July 2027, 6:00pm``).
"""

from __future__ import annotations

from functools import lru_cache

import attrs
import jinja2

from kdc_core.mail.outbox import Outgoing


@attrs.frozen
class Section:
    """A titled list of bullet points (a digest's "due this week", say)."""

    title: str
    items: tuple[str, ...]


@attrs.frozen
class Letter:
    """The parts of one message; ``why`` is the line saying why the reader gets it."""

    subject: str
    heading: str
    greeting: str
    paragraphs: tuple[str, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()
    sections: tuple[Section, ...] = ()
    link: tuple[str, str] | None = None
    why: str = ""
    unsubscribe_url: str | None = None


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("kdc_core.mail", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def render(letter: Letter, council: str) -> tuple[str, str]:
    """The letter as (plain text, HTML)."""
    env = _environment()
    context = {"letter": letter, "council": council}
    return env.get_template("letter.txt").render(context), env.get_template("letter.html").render(
        context
    )


def outgoing(
    letter: Letter,
    *,
    council: str,
    key: str,
    kind: str,
    to_address: str,
    to_name: str,
    councillor_id: int | None = None,
    officer_id: int | None = None,
) -> Outgoing:
    """The letter rendered and addressed, ready for :func:`kdc_core.mail.outbox.queue`."""
    text, html = render(letter, council)
    return Outgoing(
        key=key,
        kind=kind,
        to_address=to_address,
        to_name=to_name,
        subject=letter.subject,
        text=text,
        html=html,
        councillor_id=councillor_id,
        officer_id=officer_id,
        unsubscribe_url=letter.unsubscribe_url,
    )
