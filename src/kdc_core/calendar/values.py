"""Frozen values for calendar events."""

from __future__ import annotations

import datetime as dt
import enum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from kdc_core.errors import KdcError
from kdc_core.timewords import plain_moment

DEFAULT_TZ = "Europe/London"


class EventKind(enum.StrEnum):
    WALKABOUT = "walkabout"
    OPEN_DAY = "open_day"
    WARD_SOLUTION_MEETING = "ward_solution_meeting"
    BRIEFING = "briefing"
    FRESHERS_FAIR = "freshers_fair"
    COUNCIL_MEETING = "council_meeting"
    PARTY_GROUP_MEETING = "party_group_meeting"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The kind in words, as people read it: in newsletters, feeds and the admin."""
        return _KIND_LABELS[self]


_KIND_LABELS = {
    EventKind.WALKABOUT: "Ward walkabout",
    EventKind.OPEN_DAY: "Open day",
    EventKind.WARD_SOLUTION_MEETING: "Ward solution meeting",
    EventKind.BRIEFING: "Briefing",
    EventKind.FRESHERS_FAIR: "Freshers' fair",
    EventKind.COUNCIL_MEETING: "Council meeting",
    EventKind.PARTY_GROUP_MEETING: "Party group meeting",
    EventKind.OTHER: "Other",
}


class EventStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    TENTATIVE = "tentative"
    CANCELLED = "cancelled"


class EventTimesError(KdcError, ValueError):
    """An event that would not end after it starts."""


def check_times(title: str, start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> None:
    """Refuse an event that does not end after it starts (the one place this rule lives).

    :param tz: the zone the message gives the times in (the council's).
    :raises EventTimesError: naming the event and both times.
    """
    if end <= start:
        raise EventTimesError(
            f"The event must end after it starts. {title!r} ends {plain_moment(end, tz)}, "
            f"not after its start ({plain_moment(start, tz)})."
        )


def _zone(name: str) -> dt.tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TZ)


def _aware(_instance: object, attribute: attrs.Attribute[dt.datetime], value: dt.datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{attribute.name} must be timezone-aware, got {value!r}")


@attrs.frozen
class NewEvent:
    """What it takes to create an event. Times are timezone-aware."""

    kind: EventKind
    title: str
    start: dt.datetime = attrs.field(validator=_aware)
    end: dt.datetime = attrs.field(validator=_aware)
    timezone: str = DEFAULT_TZ
    location: str | None = None
    description: str | None = None
    ward_ids: tuple[int, ...] = ()
    service_id: int | None = None
    committee: str | None = None
    councillor_ids: tuple[int, ...] = ()
    officer_ids: tuple[int, ...] = ()
    public: bool = False
    status: EventStatus = EventStatus.CONFIRMED
    source: str | None = None
    external_id: str | None = None

    def __attrs_post_init__(self) -> None:
        check_times(self.title, self.start, self.end, _zone(self.timezone))


@attrs.frozen
class CalendarEvent:
    """A stored event. ``sequence`` goes up on every change a calendar client must see."""

    id: int
    uid: str
    kind: EventKind
    title: str
    start: dt.datetime
    end: dt.datetime
    timezone: str = DEFAULT_TZ
    location: str | None = None
    description: str | None = None
    ward_ids: tuple[int, ...] = ()
    service_id: int | None = None
    committee: str | None = None
    councillor_ids: tuple[int, ...] = ()
    officer_ids: tuple[int, ...] = ()
    public: bool = False
    status: EventStatus = EventStatus.CONFIRMED
    sequence: int = 0
    source: str | None = None
    external_id: str | None = None
    created_at: dt.datetime | None = None
    modified_at: dt.datetime | None = None
    cancelled_at: dt.datetime | None = None

    @property
    def cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        return self.start < end and start < self.end
