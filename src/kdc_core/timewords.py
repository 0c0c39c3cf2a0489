"""Times and dates as people read them, GOV.UK style, in the council's time zone.

``Tuesday 3 March 2027, 6:00pm``, ``6:00pm``, ``3 March 2027`` and ``Tuesday 3 March 2027``:
the one way the admin, the site and the messages write a time or a date. A naive datetime is
read as UTC, as times are stored.
"""

from __future__ import annotations

import datetime as dt


def _local(value: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    if value.tzinfo is None:  # stored times are UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(tz)


def time_of_day(moment: dt.datetime, tz: dt.tzinfo) -> str:
    """``6:00pm`` in ``tz``."""
    local = _local(moment, tz)
    return f"{local.hour % 12 or 12}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"


def long_date(day: dt.date | dt.datetime, tz: dt.tzinfo) -> str:
    """``3 March 2027``; a datetime is first put in ``tz``."""
    if isinstance(day, dt.datetime):
        day = _local(day, tz).date()
    return f"{day.day} {day:%B %Y}"


def govuk_date(value: dt.date | dt.datetime | None, tz: dt.tzinfo) -> str:
    """``Tuesday 3 March 2027`` (a datetime is read in ``tz``); empty for ``None``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = _local(value, tz).date()
    return f"{value:%A} {value.day} {value:%B %Y}"


def clock_time(value: dt.datetime, tz: dt.tzinfo) -> str:
    """``Tuesday 3 March 2027, 6:00pm``: a moment in ``tz``."""
    local = _local(value, tz)
    return f"{govuk_date(local.date(), tz)}, {time_of_day(local, tz)}"


def govuk_time(value: dt.datetime | None, tz: dt.tzinfo) -> str:
    """:func:`clock_time`, or empty for ``None``."""
    return "" if value is None else clock_time(value, tz)
