"""Dates and times for people, in the council's time zone, the way GOV.UK writes them.

``Tuesday 3 March 2027`` and ``Tuesday 3 March 2027, 6:00pm``; a stored time (UTC) is shown
in the council's zone first.
"""

from __future__ import annotations

import datetime as dt


def govuk_date(value: dt.date | dt.datetime | None, tz: dt.tzinfo) -> str:
    """``Tuesday 3 March 2027`` (a datetime is read in ``tz``); empty for ``None``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = _local(value, tz).date()
    return f"{value:%A} {value.day} {value:%B %Y}"


def govuk_time(value: dt.datetime | None, tz: dt.tzinfo) -> str:
    """``Tuesday 3 March 2027, 6:00pm`` in ``tz``; empty for ``None``."""
    if value is None:
        return ""
    local = _local(value, tz)
    hour = local.hour % 12 or 12
    half = "am" if local.hour < 12 else "pm"
    return f"{govuk_date(local.date(), tz)}, {hour}:{local.minute:02d}{half}"


def _local(value: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    if value.tzinfo is None:  # stored times are UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(tz)
