"""VTIMEZONE blocks every client reads the same way.

icalendar's generated VTIMEZONE lists every switch date in one comma-separated RDATE;
vobject (and Radicale, and anything else built on it) reads only the first value and gets
summer or winter wrong. Europe/London, the zone nearly every event uses, is written out by
hand with the two yearly RRULEs (last Sunday in March at 01:00 UTC, last Sunday in October at
01:00 UTC). Other zones come from icalendar with each RDATE value on its own line.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

LONDON = "Europe/London"

_LONDON_LINES = (
    "BEGIN:VTIMEZONE",
    "TZID:Europe/London",
    "X-LIC-LOCATION:Europe/London",
    "BEGIN:DAYLIGHT",
    "TZNAME:BST",
    "TZOFFSETFROM:+0000",
    "TZOFFSETTO:+0100",
    "DTSTART:19810329T010000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZNAME:GMT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0000",
    "DTSTART:19961027T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)
LONDON_VTIMEZONE = "\r\n".join(_LONDON_LINES) + "\r\n"

#: Zones written as UTC times (``...Z``), with no VTIMEZONE at all.
UTC_NAMES = frozenset({"UTC", "Etc/UTC", "GMT", "Etc/GMT", "Z"})


def one_rdate_per_line(component: Any) -> Any:
    """Rewrite every comma-separated RDATE in a VTIMEZONE as one RDATE line per date."""
    for sub in component.subcomponents:
        found = sub.get("RDATE")
        if found is None:
            continue
        values = found if isinstance(found, list) else [found]
        dates = [d.dt for value in values for d in value.dts]
        del sub["RDATE"]
        for date in dates:
            sub.add("RDATE", date)
    return component


@functools.lru_cache(maxsize=64)
def vtimezone(tzid: str, first_year: int, last_year: int) -> str:
    """The VTIMEZONE text for ``tzid`` covering the given years ("" for UTC)."""
    if tzid in UTC_NAMES:
        return ""
    if tzid == LONDON:
        return LONDON_VTIMEZONE
    from icalendar import Timezone

    component = Timezone.from_tzid(
        tzid, first_date=dt.date(first_year, 1, 1), last_date=dt.date(last_year + 1, 1, 1)
    )
    return one_rdate_per_line(component).to_ical().decode("utf-8")
