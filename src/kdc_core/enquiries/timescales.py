"""Working days (no weekends, no England bank holidays) and the due dates built on them."""

from __future__ import annotations

import datetime as dt
import functools

from kdc_core.enquiries.values import CategorySettings


@functools.lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[dt.date]:
    import holidays  # on first use: it takes a tenth of a second to import

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself never counts)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """How many working days fall after ``start`` up to and including ``end``."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_working_day(day)
    return count


@functools.lru_cache(maxsize=512)
def due_dates(received: dt.date, category: CategorySettings) -> tuple[dt.date, dt.date]:
    """(acknowledge by, respond by) for an enquiry received on ``received``."""
    return (
        add_working_days(received, category.acknowledge_days),
        add_working_days(received, category.respond_days),
    )
