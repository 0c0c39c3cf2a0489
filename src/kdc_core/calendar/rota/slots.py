"""Walkabout slots: one a working day (Monday to Friday, not an England bank holiday).

Bank holidays come from the ``holidays`` package (``GB``, subdivision ``ENG``), substitute days
included (Christmas Day falling on a Saturday gives Monday 27 December off). Times are local:
a 10:00 slot is 10:00 in Europe/London in January (UTC+0) and in July (UTC+1).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from kdc_core.calendar.rota.planner import Slot


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """First and last day of ``quarter`` (1–4) of ``year``."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1 to 4, not {quarter}")
    first = dt.date(year, 3 * quarter - 2, 1)
    after = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return first, after - dt.timedelta(days=1)


def bank_holidays(year: int) -> dict[dt.date, str]:
    """England's bank holidays in ``year``: date → name."""
    import holidays  # on first use: it takes a tenth of a second to import

    return dict(holidays.country_holidays("GB", subdiv="ENG", years=year).items())


def working_days(year: int, quarter: int) -> list[dt.date]:
    """Weekdays of the quarter that are not bank holidays in England, in order."""
    first, last = quarter_bounds(year, quarter)
    closed = bank_holidays(year)
    days = []
    day = first
    while day <= last:
        if day.weekday() < 5 and day not in closed:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def quarter_slots(
    year: int,
    quarters: tuple[int, ...],
    start: dt.time,
    minutes: int,
    timezone: str,
) -> tuple[Slot, ...]:
    """One slot a working day of each quarter, ``start`` local time for ``minutes``."""
    if not 0 < minutes < 24 * 60:
        raise ValueError(f"a walkabout lasts between 1 minute and a day, not {minutes} minutes")
    zone = ZoneInfo(timezone)
    slots = []
    for quarter in quarters:
        for day in working_days(year, quarter):
            begin = dt.datetime.combine(day, start, tzinfo=zone)
            slots.append(Slot(begin, begin + dt.timedelta(minutes=minutes), quarter))
    return tuple(slots)
