"""The demo's calendar: a year of committee meetings, two open days and the walkabout rota.

Everything goes through the calendar services (:func:`~kdc_core.calendar.events.upsert_external`,
:func:`~kdc_core.calendar.open_days.declare_open_day`, the rota's plan and apply), so the
protocol's event rules run and the change log records each event as in real use. Meetings are
written first: the rota then plans its walkabouts clear of them, as it would for meetings
imported from ModernGov.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs
from sqlalchemy import select

from kdc_core.calendar.events import upsert_external
from kdc_core.calendar.open_days import declare_open_day
from kdc_core.calendar.rota.slots import bank_holidays
from kdc_core.calendar.values import EventKind, NewEvent
from kdc_core.db.events import EventRow
from kdc_core.demo.councillors import AUDIT, CABINET, COUNCIL, PLANNING, SCRUTINY, STANDARDS

if TYPE_CHECKING:
    from kdc_core.unit_of_work import UnitOfWork

#: The ``source`` of the demo's committee meetings (their ``external_id`` is year-slug-month).
SOURCE = "demo"
TOWN_HALL = "Council Chamber, Huddersfield Town Hall"
MEETING_ROOM = "Meeting Room 1, Huddersfield Town Hall"


@attrs.frozen
class Committee:
    """When a committee meets: the ``nth`` ``weekday`` (0 = Monday) of each of ``months``."""

    name: str
    slug: str
    weekday: int
    nth: int
    months: tuple[int, ...]
    start: dt.time
    hours: int
    venue: str


_EVERY_MONTH_BUT_AUGUST = (1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12)

COMMITTEES = (
    Committee(COUNCIL, "council", 2, 2, (1, 3, 5, 7, 9, 10, 12), dt.time(17, 30), 3, TOWN_HALL),
    Committee(CABINET, "cabinet", 1, 3, _EVERY_MONTH_BUT_AUGUST, dt.time(13, 30), 2, MEETING_ROOM),
    Committee(SCRUTINY, "scrutiny", 4, 1, _EVERY_MONTH_BUT_AUGUST, dt.time(10), 3, MEETING_ROOM),
    Committee(AUDIT, "audit", 4, 4, (1, 3, 4, 7, 9, 11), dt.time(10), 2, MEETING_ROOM),
    Committee(STANDARDS, "standards", 3, 2, (2, 6, 10), dt.time(14), 2, MEETING_ROOM),
    Committee(PLANNING, "planning", 3, 4, _EVERY_MONTH_BUT_AUGUST, dt.time(13), 3, TOWN_HALL),
)


def meeting_day(year: int, month: int, weekday: int, nth: int) -> dt.date:
    """The ``nth`` ``weekday`` of the month, a week later when that is a bank holiday."""
    first = dt.date(year, month, 1)
    day = first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    while day in bank_holidays(year):
        day += dt.timedelta(days=7)
    return day


def meetings(year: int, timezone: str) -> list[NewEvent]:
    """A year of the demo committees' meetings, the same for the same year."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(timezone)
    out = []
    for c in COMMITTEES:
        for month in c.months:
            start = dt.datetime.combine(meeting_day(year, month, c.weekday, c.nth), c.start, zone)
            out.append(
                NewEvent(
                    kind=EventKind.COUNCIL_MEETING,
                    title=c.name,
                    start=start,
                    end=start + dt.timedelta(hours=c.hours),
                    timezone=timezone,
                    location=c.venue,
                    description=f"Meeting of the {c.name}. Agenda and papers on ModernGov.",
                    committee=c.name,
                    public=True,
                    source=SOURCE,
                    external_id=f"{year}-{c.slug}-{month:02d}",
                )
            )
    return out


def seed_meetings(uow: UnitOfWork, year: int) -> int:
    """Write the year's meetings (upserted by external id); how many were new."""
    new = 0
    for meeting in meetings(year, uow.settings.timezone):
        assert meeting.external_id is not None
        if uow.events.row_by_external(SOURCE, meeting.external_id) is None:
            upsert_external(uow, meeting)
            new += 1
    return new


@attrs.frozen
class OpenDaySpec:
    service: str
    weeks_ahead: int
    location: str
    wards: tuple[str, ...] = ()


OPEN_DAYS = (
    OpenDaySpec("Waste and Recycling", 2, "Weaving Lane Household Waste Recycling Centre"),
    OpenDaySpec(
        "Libraries", 5, "Dewsbury Library", ("Dewsbury East", "Dewsbury South", "Dewsbury West")
    ),
)


def seed_open_days(uow: UnitOfWork, today: dt.date) -> int:
    """Declare the demo's open days (a Wednesday some weeks ahead) unless already declared."""
    zone = uow.settings.tz
    new = 0
    for spec in OPEN_DAYS:
        title = f"{spec.service} open day"
        exists = uow.session.scalar(
            select(EventRow.id).where(
                EventRow.kind == EventKind.OPEN_DAY.value, EventRow.title == title
            )
        )
        if exists is not None:
            continue
        day = today + dt.timedelta(weeks=spec.weeks_ahead, days=(2 - today.weekday()) % 7)
        start = dt.datetime.combine(day, dt.time(10), zone)
        declare_open_day(
            uow,
            spec.service,
            start,
            start + dt.timedelta(hours=5),
            spec.location,
            wards=spec.wards or None,
            title=title,
            description=f"Meet the {spec.service} team, see the work behind the service and "
            "bring your residents' questions.",
        )
        new += 1
    return new


def seed_rota(uow: UnitOfWork, year: int) -> int:
    """Plan and apply the year's walkabout rota, unless the year already has walkabouts;
    how many walkabouts were written."""
    from kdc_core.calendar.rota.service import apply_plan, plan, stored_walkabouts

    if stored_walkabouts(uow, year):
        return 0
    inputs, result = plan(uow, year, (1, 2, 3, 4))
    return apply_plan(uow, inputs, result).created
