"""Which events each calendar feed shows, and whether a change reaches a feed.

The rules, whatever format a plugin renders them in:

- A feed covers a window: from 90 days before today to 18 months (548 days) after, where
  "today" is the date in the council's timezone. The window moves once a day.
- A cancelled event stays in a feed for 30 days after it was cancelled (``STATUS:CANCELLED``,
  so subscribed clients remove it), then drops out.
- A councillor's feed is every event that concerns them
  (:func:`kdc_core.calendar.concerns.events_for_councillor`), public or private; an officer's
  is every event that invites them.
- Ward, service and public feeds show public events only. Nothing private ever appears in
  them, whoever it invites.

Whether anything a feed shows has changed at all is one number, the calendar version
(:mod:`kdc_core.db.calendar_version`); when it has moved, :func:`touches` says whether the
events that changed reach a given feed, so a feed server rebuilds only the feeds they do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import attrs
from sqlalchemy import Connection, Table, bindparam, exists, select

from kdc_core.calendar.concerns import Membership, events_for_councillor, events_for_officer
from kdc_core.calendar.values import CalendarEvent, EventKind, EventStatus
from kdc_core.db.events import EventRow, event_councillors, event_officers, event_wards
from kdc_core.db.people import ServiceRow, WardRow
from kdc_core.errors import NotFound
from kdc_core.people.values import slugify
from kdc_core.unit_of_work import UnitOfWork

DAYS_BACK = 90
DAYS_AHEAD = 548
CANCELLED_KEPT_DAYS = 30


@attrs.frozen
class FeedWindow:
    """The span a feed covers on one day, and how far back cancellations are still shown."""

    day: dt.date
    start: dt.datetime
    end: dt.datetime
    cancelled_since: dt.datetime

    @classmethod
    def for_day(cls, day: dt.date, tz: dt.tzinfo) -> FeedWindow:
        midnight = dt.datetime.combine(day, dt.time(), tzinfo=tz)
        return cls(
            day=day,
            start=(midnight - dt.timedelta(days=DAYS_BACK)).astimezone(dt.UTC),
            end=(midnight + dt.timedelta(days=DAYS_AHEAD)).astimezone(dt.UTC),
            cancelled_since=(midnight - dt.timedelta(days=CANCELLED_KEPT_DAYS)).astimezone(dt.UTC),
        )

    @classmethod
    def today(cls, uow: UnitOfWork, now: dt.datetime | None = None) -> FeedWindow:
        tz = uow.settings.tz
        return cls.for_day((now or dt.datetime.now(dt.UTC)).astimezone(tz).date(), tz)

    def keeps(self, event: CalendarEvent) -> bool:
        """Whether the event belongs in a feed: not cancelled, or cancelled recently."""
        return self.keeps_status(event.status, event.cancelled_at, event.modified_at)

    def keeps_status(
        self, status: str, cancelled_at: dt.datetime | None, modified_at: dt.datetime | None
    ) -> bool:
        """:meth:`keeps` from an event's stored status and times."""
        if status != EventStatus.CANCELLED:
            return True
        when = cancelled_at or modified_at
        return when is None or when >= self.cancelled_since


@attrs.frozen
class FeedSubject:
    """A public feed's subject: a ward or a service (``kind``), its id and display name."""

    kind: str
    id: int
    name: str
    slug: str


def _kept(events: list[CalendarEvent], window: FeedWindow) -> list[CalendarEvent]:
    return [e for e in events if window.keeps(e)]


def councillor_feed(uow: UnitOfWork, councillor_id: int, window: FeedWindow) -> list[CalendarEvent]:
    """Everything that concerns the councillor, private events included."""
    return _kept(events_for_councillor(uow, councillor_id, window.start, window.end), window)


def officer_feed(uow: UnitOfWork, officer_id: int, window: FeedWindow) -> list[CalendarEvent]:
    """Everything that invites the officer, private events included."""
    return _kept(events_for_officer(uow, officer_id, window.start, window.end), window)


def public_feed(
    uow: UnitOfWork, window: FeedWindow, subject: FeedSubject | None = None
) -> list[CalendarEvent]:
    """Public events only: all of them, or those of one ward or service."""
    filters: dict[str, Any] = {}
    if subject is not None:
        filters["ward_id" if subject.kind == "ward" else "service_id"] = subject.id
    events = uow.events.query(start=window.start, end=window.end, public_only=True, **filters)
    return [e for e in _kept(events, window) if e.public]


def ward_subject(uow: UnitOfWork, slug: str) -> FeedSubject:
    """:raises NotFound: no ward has this slug."""
    row = uow.session.execute(
        select(WardRow.id, WardRow.name, WardRow.slug).where(WardRow.slug == slugify(slug))
    ).first()
    if row is None:
        raise NotFound(f"no ward with slug {slug!r}")
    return FeedSubject("ward", row.id, row.name, row.slug)


def service_subject(uow: UnitOfWork, slug: str) -> FeedSubject:
    """:raises NotFound: no service has this slug."""
    row = uow.session.execute(
        select(ServiceRow.id, ServiceRow.name, ServiceRow.slug).where(
            ServiceRow.slug == slugify(slug)
        )
    ).first()
    if row is None:
        raise NotFound(f"no service with slug {slug!r}")
    return FeedSubject("service", row.id, row.name, row.slug)


# -- which feeds a change reaches ---------------------------------------------------------------


def touches(
    conn: Connection,
    kind: str,
    subject_id: int | None,
    event_ids: Iterable[int],
    window: FeedWindow,
    membership: Callable[[], Membership],
) -> bool:
    """Whether any of these (changed) events now belongs in a feed, by the rules above.

    ``kind`` is ``councillor``, ``officer``, ``public``, ``ward`` or ``service`` and
    ``subject_id`` the councillor, officer, ward or service (``None`` for ``public``). Events
    that no longer exist belong nowhere. One query of the events asked about, on ``conn``;
    ``membership`` (say ``lambda: load_membership(uow)``) is called only when one of them is a
    committee's meeting. A feed server asks it, with the events a feed showed before, to keep
    a feed that a change elsewhere leaves as it was.
    """
    wanted = sorted(set(event_ids))
    if not wanted:
        return False
    statement = _TOUCH_QUERIES.get(kind)
    if statement is None:
        statement = _TOUCH_QUERIES[kind] = _touch_query(kind)
    found = conn.execute(
        statement,
        {"ids": wanted, "start": window.start, "end": window.end, "subject": subject_id},
    )
    rows = [r for r in found if window.keeps_status(r.status, r.cancelled_at, r.modified_at)]
    if kind == "councillor":
        assert subject_id is not None
        if any(row.linked for row in rows):
            return True
        meetings = [r for r in rows if r.kind == EventKind.COUNCIL_MEETING and r.committee]
        if not meetings:
            return False
        members = membership()
        return any(subject_id in members.members(row.committee) for row in meetings)
    if kind == "officer":
        return any(row.linked for row in rows)
    public = [row for row in rows if row.public]
    if kind == "ward":
        return any(row.linked for row in public)
    if kind == "service":
        return any(row.service_id == subject_id for row in public)
    return bool(public)


def _touch_query(kind: str) -> Any:
    events = EventRow.__table__.c
    columns = [
        events.kind,
        events.committee,
        events.public,
        events.service_id,
        events.status,
        events.cancelled_at,
        events.modified_at,
    ]
    if kind in _LINKS:
        table, column = _LINKS[kind]
        linked = exists().where(
            table.c.event_id == events.id, table.c[column] == bindparam("subject")
        )
        columns.append(linked.label("linked"))
    return select(*columns).where(
        events.id.in_(bindparam("ids", expanding=True)),
        events.end > bindparam("start"),
        events.start < bindparam("end"),
    )


_TOUCH_QUERIES: dict[str, Any] = {}

#: Feed kind → the link table and column that tie an event to its subject.
_LINKS: dict[str, tuple[Table, str]] = {
    "councillor": (event_councillors, "councillor_id"),
    "officer": (event_officers, "officer_id"),
    "ward": (event_wards, "ward_id"),
}
