"""Events as iCalendar text: one VEVENT at a time, each cached, joined into a VCALENDAR.

A VEVENT's text depends only on the event's own fields and its URL, and any change to those
bumps ``modified_at`` (and SEQUENCE where a client must notice), so the text is cached under
``(uid, sequence, modified_at, url)``. A feed is then a header, the VTIMEZONEs its events
use and a join of cached strings — no icalendar work at all once the cache is warm.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Event, vDuration, vText
from icalendar.enums import CLASS, STATUS

from kdc_core import __version__
from kdc_core.calendar.values import CalendarEvent, EventKind, EventStatus
from kdc_ical.vtimezone import LONDON, UTC_NAMES, vtimezone

PRODID = f"-//Kirklees Council//kdc-core {__version__}//EN"
#: How often clients are asked to poll (REFRESH-INTERVAL and X-PUBLISHED-TTL).
REFRESH = dt.timedelta(hours=1)
#: Used only for hand-made values with no timestamps (stored events always have them).
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_END = "END:VCALENDAR\r\n"

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    """A thread-safe least-recently-used map, bounded by entries and optionally by size."""

    def __init__(
        self,
        max_entries: int,
        max_size: int | None = None,
        size: Callable[[V], int] = lambda _v: 1,
    ) -> None:
        self.max_entries = max_entries
        self.max_size = max_size
        self._size = size
        self._total = 0
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` is cached, without making it more recent."""
        return key in self._data

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._total -= self._size(old)
            self._data[key] = value
            self._total += self._size(value)
            while self._data and (
                len(self._data) > self.max_entries
                or (self.max_size is not None and self._total > self.max_size)
            ):
                _, dropped = self._data.popitem(last=False)
                self._total -= self._size(dropped)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._total = 0


def zone(name: str) -> dt.tzinfo:
    """The event's zone; UTC for UTC-like names and for names zoneinfo does not know."""
    if name in UTC_NAMES:
        return dt.UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def summary(event: CalendarEvent) -> str:
    """The title, prefixed for cancelled events (some clients ignore STATUS:CANCELLED)."""
    return f"Cancelled: {event.title}" if event.cancelled else event.title


def vevent_component(event: CalendarEvent, url: str) -> Event:
    """The event as an icalendar component, with times in the event's own zone."""
    tz = zone(event.timezone)
    modified = event.modified_at or event.created_at or _EPOCH
    return Event.new(
        uid=event.uid,
        stamp=modified,
        created=event.created_at or modified,
        last_modified=modified,
        sequence=event.sequence,
        start=event.start.astimezone(tz),
        end=event.end.astimezone(tz),
        summary=summary(event),
        description=event.description or None,
        location=event.location or None,
        url=url,
        status=_STATUS[event.status],
        categories=[EventKind(event.kind).label],
        classification=CLASS.PUBLIC if event.public else CLASS.PRIVATE,
    )


def vevent_text(event: CalendarEvent, url: str) -> str:
    """One VEVENT (CRLF line ends, folded)."""
    return vevent_component(event, url).to_ical().decode("utf-8")


_STATUS = {
    EventStatus.CONFIRMED: STATUS.CONFIRMED,
    EventStatus.TENTATIVE: STATUS.TENTATIVE,
    EventStatus.CANCELLED: STATUS.CANCELLED,
}


@functools.lru_cache(maxsize=1024)
def calendar_header(name: str | None, description: str | None = None) -> str:
    """Everything a VCALENDAR has before its components; stable for the same arguments.

    With no ``name`` only VERSION, PRODID and CALSCALE: a single resource on a CalDAV server.
    """
    cal = Calendar()
    cal.add("VERSION", "2.0")
    cal.add("PRODID", PRODID)
    cal.add("CALSCALE", "GREGORIAN")
    if name is None:
        return cal.to_ical().decode("utf-8").removesuffix("END:VCALENDAR\r\n")
    cal.add("NAME", vText(name))
    cal.add("X-WR-CALNAME", vText(name))
    if description:
        cal.add("DESCRIPTION", vText(description))
        cal.add("X-WR-CALDESC", vText(description))
    cal.add("X-WR-TIMEZONE", LONDON)
    cal.add("REFRESH-INTERVAL", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    cal.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    text = cal.to_ical().decode("utf-8")
    return text.removesuffix("END:VCALENDAR\r\n")


def timezones_for(events: Sequence[CalendarEvent]) -> str:
    """The VTIMEZONEs the events' times refer to (Europe/London always, for X-WR-TIMEZONE)."""
    names = sorted({e.timezone for e in events if zone(e.timezone) is not dt.UTC} | {LONDON})
    if not events:
        return vtimezone(LONDON, 0, 0)
    first = min(e.start for e in events).year - 1
    last = max(e.end for e in events).year + 1
    return "".join(vtimezone(name, first, last) for name in names)


class EventRenderer:
    """Renders VEVENTs through a bounded cache shared by every feed (and the CalDAV push)."""

    def __init__(self, max_events: int = 20_000) -> None:
        self.cache: LRU[tuple[Any, ...], str] = LRU(max_events)
        self.rendered = 0

    def vevent(self, event: CalendarEvent, url: str) -> str:
        key = (event.uid, event.sequence, event.modified_at, url)
        text = self.cache.get(key)
        if text is None:
            text = vevent_text(event, url)
            self.rendered += 1
            self.cache.put(key, text)
        return text

    def calendar(
        self,
        name: str | None,
        events: Sequence[CalendarEvent],
        url_for: Callable[[CalendarEvent], str],
        description: str | None = None,
    ) -> str:
        """A whole VCALENDAR: header, VTIMEZONEs, then one VEVENT per event in order."""
        parts: list[str] = [calendar_header(name, description), timezones_for(events)]
        parts.extend(self.vevent(e, url_for(e)) for e in events)
        parts.append(_END)
        return "".join(parts)

    def resource(self, event: CalendarEvent, url: str) -> str:
        """A VCALENDAR holding one event: what a CalDAV server stores per resource."""
        return "".join(
            (calendar_header(None), timezones_for([event]), self.vevent(event, url), _END)
        )
