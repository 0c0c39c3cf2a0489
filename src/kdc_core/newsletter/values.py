"""Frozen values for newsletter months, sections and built issues."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
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


#: ``collect_wards(uow, ward_months)`` → each ward's entries, by ward id, for wards that all
#: share one month: a section's queries asked once for every ward of a month's build.
WardsCollector = Callable[
    ["UnitOfWork", Sequence[WardMonth]], Mapping[int, tuple[SectionItem, ...]]
]


def one_ward(
    collect_wards: WardsCollector,
) -> Callable[[UnitOfWork, WardMonth], tuple[SectionItem, ...]]:
    """The per-ward ``collect`` of a section that collects every ward at once."""

    def collect(uow: UnitOfWork, wm: WardMonth) -> tuple[SectionItem, ...]:
        return tuple(collect_wards(uow, [wm]).get(wm.ward_id, ()))

    collect.__doc__ = collect_wards.__doc__
    return collect


@attrs.frozen
class Section:
    """A newsletter section a plugin registers.

    :ivar name: unique name (``ward_events``).
    :ivar title: the heading readers see.
    :ivar topic: the menu topic a councillor must have opted into to get it.
    :ivar order: lower comes first.
    :ivar collect: ``collect(uow, ward_month)`` → the entries for that ward and month; called
        once per ward and month, whoever the issue is for.
    :ivar collect_wards: optional, the same for many wards of one month at once (see
        :data:`WardsCollector`); a month's build then asks it once instead of ``collect``
        once per ward, so the section's queries do not grow with the number of wards.
    """

    name: str
    title: str
    topic: str
    collect: Callable[[UnitOfWork, WardMonth], tuple[SectionItem, ...]] = attrs.field(eq=False)
    order: int = 100
    collect_wards: WardsCollector | None = attrs.field(default=None, eq=False)

    def collect_many(
        self, uow: UnitOfWork, wms: Sequence[WardMonth]
    ) -> dict[int, tuple[SectionItem, ...]]:
        """Each ward's entries: one ``collect_wards`` call when the section has one, else
        ``collect`` ward by ward."""
        if self.collect_wards is not None:
            found = self.collect_wards(uow, wms)
            return {wm.ward_id: tuple(found.get(wm.ward_id, ())) for wm in wms}
        return {wm.ward_id: tuple(self.collect(uow, wm)) for wm in wms}


@attrs.frozen
class FilledSection:
    name: str
    title: str
    topic: str
    items: tuple[SectionItem, ...]


@attrs.frozen
class BuiltIssue:
    """One rendered issue for one councillor: subject, both bodies and the message's
    headers; :attr:`eml` writes the whole message out when it is asked for (sending goes
    through the outbox, which makes its own)."""

    ward_id: int
    ward_name: str
    month: str
    recipient: Recipient
    subject: str
    html: str
    text: str
    unsubscribe_url: str
    sender: str
    to: str
    message_id: str
    date: str

    @property
    def eml(self) -> bytes:
        """The whole message (:func:`kdc_core.mail.message.render_eml`); a new MIME boundary
        each time it is asked for."""
        from kdc_core.mail.message import render_eml

        return render_eml(**self.message_parts())

    def message_parts(self) -> dict[str, str]:
        """What :func:`~kdc_core.mail.message.render_eml` makes the message from."""
        return {
            "sender": self.sender,
            "to": self.to,
            "subject": self.subject,
            "html": self.html,
            "text": self.text,
            "unsubscribe_url": self.unsubscribe_url,
            "message_id": self.message_id,
            "date": self.date,
        }


@attrs.frozen
class NewsletterConfig:
    """The ``[plugins.newsletter]`` section: nothing to set.

    Newsletters and briefings are sent through the outbox, from ``[mail] sender`` by
    ``[mail] mailer``; the section's old ``mailer`` and ``from_address`` keys are refused
    so that a setting that no longer does anything cannot look as if it did.
    """
