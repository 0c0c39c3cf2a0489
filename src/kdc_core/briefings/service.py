"""Post ward briefings, change them and read them; sending them to the wards' councillors, once
each, is :mod:`kdc_core.briefings.sending`.

Protocol 8.1: councillors hear of proposals affecting their ward before they are announced
publicly, so a briefing posted on or after its public date is *late* and is reported as such.
Protocol 9.1: officers keep members of every political group informed of significant
developments. A briefing goes to all the ward's active councillors, never one group's; a
significant one also goes to the leader of each group that has no councillor in its wards
(see :meth:`~kdc_core.db.repositories.people.PeopleRepository.group_leaders`).

Sending queues the messages in the outbox (keys ``briefing:<id>:<councillor>:<channel>``),
so each person gets each briefing once over each channel however often it is sent; the
outbox's record of what it sent is what rules 8.1 and 9.1 read. A late briefing is still
sent, and says it is late.

Posting and sending run the protocol's briefing rules before the work commits (see
:mod:`kdc_core.briefings.protocol`); an error-level finding blocks unless overridden.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kdc_core.briefings.protocol import delivered
from kdc_core.db.base import utcnow
from kdc_core.db.newsletters import BriefingRow
from kdc_core.db.people import WardRow
from kdc_core.errors import KdcError, NotFound
from kdc_core.mail.values import check_topic
from kdc_core.people.lookup import resolve_service, resolve_ward
from kdc_core.protocol.service import enforce
from kdc_core.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    pass


@attrs.frozen
class Briefing:
    """A posted briefing and, per recipient and channel, when it was sent."""

    id: int
    title: str
    body: str
    wards: tuple[str, ...]
    public_on: dt.date
    significant: bool
    topic: str
    service: str | None
    posted_at: dt.datetime
    sent: tuple[tuple[int, str, dt.datetime], ...] = ()
    timezone: dt.tzinfo = dt.UTC

    @property
    def late(self) -> bool:
        """Posted on or after the day it became public (in the council's time zone):
        councillors could not hear of it first."""
        return self.posted_at.astimezone(self.timezone).date() >= self.public_on

    @classmethod
    def from_row(
        cls,
        row: BriefingRow,
        sent: Iterable[tuple[int, str, dt.datetime]] = (),
        timezone: dt.tzinfo = dt.UTC,
    ) -> Briefing:
        return cls(
            id=row.id,
            title=row.title,
            body=row.body,
            wards=tuple(w.name for w in row.wards),
            public_on=row.public_on,
            significant=row.significant,
            topic=row.topic,
            service=row.service.name if row.service else None,
            posted_at=row.posted_at,
            sent=tuple(sent),
            timezone=timezone,
        )


def post_briefing(
    uow: UnitOfWork,
    *,
    wards: Iterable[str],
    title: str,
    body: str,
    public_on: dt.date,
    service: str | None = None,
    significant: bool = False,
    topic: str = "briefings",
    posted_at: dt.datetime | None = None,
) -> Briefing:
    """Record a briefing. It is late (protocol 8.1) when posted on or after ``public_on``.

    Rules 8.1 and 9.1 run before the unit of work commits, and record what they find (see
    :func:`~kdc_core.protocol.service.open_findings`); an error-level finding blocks unless
    overridden (:func:`~kdc_core.protocol.service.override`).
    """
    row = BriefingRow(posted_at=posted_at or utcnow())
    _fill(uow, row, wards, title, body, public_on, service, significant, topic)
    uow.session.add(row)
    uow.session.flush()
    enforce(uow, "briefing", [row.id])
    return Briefing.from_row(row, timezone=uow.settings.tz)


def edit_briefing(
    uow: UnitOfWork,
    briefing_id: int,
    *,
    wards: Iterable[str],
    title: str,
    body: str,
    public_on: dt.date,
    service: str | None = None,
    significant: bool = False,
    topic: str = "briefings",
) -> Briefing:
    """Change a posted briefing, with the same checks as :func:`post_briefing`, and run rules
    8.1 and 9.1 over it again: moving its public date to the day it was posted (or before)
    makes it late, and marking it significant asks that every group hear of it. It keeps
    when it was posted; councillors it was already sent to are not sent the change.

    :raises NotFound: no such briefing (or ward, or service).
    """
    row = uow.session.get(BriefingRow, briefing_id)
    if row is None:
        raise NotFound(f"no briefing with id {briefing_id}")
    _fill(uow, row, wards, title, body, public_on, service, significant, topic)
    uow.session.flush()
    enforce(uow, "briefing", [row.id])
    return get_briefing(uow, row.id)


def _fill(
    uow: UnitOfWork,
    row: BriefingRow,
    wards: Iterable[str],
    title: str,
    body: str,
    public_on: dt.date,
    service: str | None,
    significant: bool,
    topic: str,
) -> None:
    """Check a briefing's fields and set them on ``row``."""
    names = [w.strip() for w in wards if w.strip()]
    if not names:
        raise KdcError("a briefing needs at least one ward")
    if not title.strip() or not body.strip():
        raise KdcError("a briefing needs a title and a body")
    check_topic(topic)
    row.title = title.strip()
    row.body = body.strip()
    row.public_on = public_on
    row.significant = significant
    row.topic = topic
    row.service = resolve_service(uow.session, service) if service is not None else None
    row.wards = list({w.id: w for w in (resolve_ward(uow.session, n) for n in names)}.values())


def get_briefing(uow: UnitOfWork, briefing_id: int) -> Briefing:
    """The briefing, with whom the outbox has sent it to (councillor, channel, when)."""
    row = uow.session.get(BriefingRow, briefing_id, options=[selectinload(BriefingRow.wards)])
    if row is None:
        raise NotFound(f"no briefing with id {briefing_id}")
    sent = [
        (cid, channel, at)
        for _, cid, channel, at in delivered(uow, frozenset({briefing_id}))
        if at is not None
    ]
    return Briefing.from_row(row, sent, timezone=uow.settings.tz)


def briefings_for_ward(uow: UnitOfWork, ward_id: int, limit: int = 100) -> list[Briefing]:
    """The briefings about the ward (alone or with others), newest posted first: what the
    ward's councillors were told, or are about to be."""
    rows = uow.session.scalars(
        select(BriefingRow)
        .options(selectinload(BriefingRow.wards), selectinload(BriefingRow.service))
        .where(BriefingRow.wards.any(WardRow.id == ward_id))
        .order_by(BriefingRow.posted_at.desc(), BriefingRow.id.desc())
        .limit(limit)
    )
    return [Briefing.from_row(r, timezone=uow.settings.tz) for r in rows]
