"""Frozen values for newsletter months, sections and built issues."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

from kdc_core.errors import KdcError
from kdc_core.mail.values import Recipient

if TYPE_CHECKING:
    from kdc_core.unit_of_work import UnitOfWork

_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


@attrs.frozen
class Month:
    """A calendar month, ``YYYY-MM``."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        match = _MONTH.fullmatch(text.strip())
        if match is None:
            raise KdcError(f"month {text!r} is not YYYY-MM (for example 2027-03)")
        return cls(int(match[1]), int(match[2]))

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def next_first(self) -> dt.date:
        return dt.date(self.year + self.month // 12, self.month % 12 + 1, 1)

    @property
    def label(self) -> str:
        return self.first.strftime("%B %Y")

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@attrs.frozen
class WardMonth:
    """What a section is asked about: one ward, one month, in the council's time zone."""

    ward_id: int
    ward_name: str
    month: Month
    timezone: str = "Europe/London"


@attrs.frozen
class SectionItem:
    """One entry of a section. ``topic`` overrides the section's topic for this entry."""

    heading: str
    text: str = ""
    meta: str | None = None
    url: str | None = None
    image_url: str | None = None
    image_alt: str | None = None
    topic: str | None = None


@attrs.frozen
class Section:
    """A newsletter section a plugin registers.

    :ivar name: unique name (``ward_events``).
    :ivar title: the heading readers see.
    :ivar topic: the menu topic a councillor must have opted into to get it.
    :ivar order: lower comes first.
    :ivar collect: ``collect(uow, ward_month)`` → the entries for that ward and month; called
        once per ward and month, whoever the issue is for.
    """

    name: str
    title: str
    topic: str
    collect: Callable[[UnitOfWork, WardMonth], tuple[SectionItem, ...]] = attrs.field(eq=False)
    order: int = 100


@attrs.frozen
class FilledSection:
    name: str
    title: str
    topic: str
    items: tuple[SectionItem, ...]


@attrs.frozen
class BuiltIssue:
    """One rendered issue for one councillor: subject, both bodies and the whole message."""

    ward_id: int
    ward_name: str
    month: str
    recipient: Recipient
    subject: str
    html: str
    text: str
    eml: bytes
    unsubscribe_url: str


@attrs.frozen
class NewsletterConfig:
    """The ``[plugins.newsletter]`` section: nothing to set.

    Newsletters and briefings are sent through the outbox, from ``[mail] sender`` by
    ``[mail] mailer``; the section's old ``mailer`` and ``from_address`` keys are refused
    so that a setting that no longer does anything cannot look as if it did.
    """
