"""Which events each calendar feed shows, and a cheap fingerprint of everything that decides it.

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

:func:`calendar_fingerprint` summarises, in one query of aggregates, every table those rules
read (events, their wards and invitees, councillors and their roles, officers, wards,
services). When it has not changed and the day has not changed, no feed's content can have
changed, so a feed server may answer from a cache without loading a single event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import attrs
from sqlalchemy import BigInteger, ColumnElement, Table, cast, func, literal, select

from kdc_core.calendar.concerns import events_for_councillor, events_for_officer
from kdc_core.calendar.values import CalendarEvent
from kdc_core.db.events import EventRow, event_councillors, event_officers, event_wards
from kdc_core.db.people import CouncillorRoleRow, CouncillorRow, OfficerRow, ServiceRow, WardRow
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
        if not event.cancelled:
            return True
        when = event.cancelled_at or event.modified_at
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


# -- the fingerprint ------------------------------------------------------------------------------

_PAIR = 1_000_003


def _link_sum(table: Table, other: str) -> ColumnElement[Any]:
    return func.coalesce(
        func.sum(cast(table.c.event_id, BigInteger) * _PAIR + table.c[other]), literal(0)
    )


def _aggregates(table: Any, *columns: Any) -> list[Any]:
    return [select(c).select_from(table).scalar_subquery() for c in columns]


def _fingerprint_query() -> Any:
    """One SELECT of scalar subqueries: per input table, values that move when it changes.

    Built from table columns (not ORM attributes) so it runs as a plain Core statement.
    """
    count, total, length, latest = func.count, func.sum, func.length, func.max
    events, roles = EventRow.__table__.c, CouncillorRoleRow.__table__.c
    return select(
        *_aggregates(
            EventRow.__table__,
            count(),
            latest(events.id),
            latest(events.modified_at),
            func.coalesce(total(events.sequence), 0),
        ),
        *_aggregates(event_councillors, count(), _link_sum(event_councillors, "councillor_id")),
        *_aggregates(event_officers, count(), _link_sum(event_officers, "officer_id")),
        *_aggregates(event_wards, count(), _link_sum(event_wards, "ward_id")),
        *_aggregates(
            CouncillorRoleRow.__table__,
            count(),
            func.coalesce(total(roles.id), 0),
            func.coalesce(total(length(func.coalesce(roles.committee, ""))), 0),
            func.coalesce(total(length(roles.kind)), 0),
        ),
        *(
            column
            for row in (CouncillorRow, OfficerRow, WardRow, ServiceRow)
            for column in _aggregates(row.__table__, count(), latest(row.__table__.c.modified_at))
        ),
    )


_QUERY: Any = None


def calendar_fingerprint(uow: UnitOfWork) -> str:
    """A short hex digest that changes whenever anything a feed's content depends on changes.

    One round trip of aggregates (counts, sums of link ids, latest modification times); cheap
    enough to run on every feed request.
    """
    global _QUERY
    if _QUERY is None:
        _QUERY = _fingerprint_query()
    values = uow.session.connection().execute(_QUERY).one()
    return hashlib.sha256(repr(tuple(values)).encode()).hexdigest()[:32]
