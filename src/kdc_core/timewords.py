"""Times and dates as people read them, in the council's time zone, to the minute.

Two registers, one module:

- GOV.UK words for web pages and emails: ``Tuesday 3 March 2027, 6:00pm``, ``6:00pm``,
  ``3 March 2027`` and ``Tuesday 3 March 2027`` (:func:`clock_time`, :func:`time_of_day`,
  :func:`long_date`, :func:`govuk_date`).
- Plain text for the command line, logs, change labels, protocol findings and import
  messages, where a bare clock time carries the zone's abbreviation so that nobody has to
  guess whether it is summer time: ``18:00 BST``, ``Tue 3 Mar 2027 10:00 GMT`` and
  ``Tue 6 Jul 2027 18:00–20:00 BST`` (:func:`plain_time`, :func:`plain_moment`,
  :func:`plain_span`).

Machine-readable output (``--json``, feeds, APIs) keeps ISO 8601 with an offset instead.
A naive datetime is read as UTC, as times are stored.
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


def plain_time(value: dt.datetime, tz: dt.tzinfo) -> str:
    """``18:00 BST`` (``10:00 GMT`` in winter): a clock time in ``tz`` with its abbreviation."""
    local = _local(value, tz)
    return f"{local:%H:%M} {local.tzname()}"


def plain_date(day: dt.date | dt.datetime, tz: dt.tzinfo) -> str:
    """``Tue 3 Mar 2027``; a datetime is first put in ``tz``."""
    if isinstance(day, dt.datetime):
        day = _local(day, tz).date()
    return f"{day:%a} {day.day} {day:%b %Y}"


def plain_moment(value: dt.datetime | None, tz: dt.tzinfo, empty: str = "") -> str:
    """``Tue 3 Mar 2027 18:00 GMT``: a date and time in ``tz`` for plain text; ``empty`` for
    ``None``."""
    if value is None:
        return empty
    local = _local(value, tz)
    return f"{plain_date(local, tz)} {plain_time(local, tz)}"


def plain_span(start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> str:
    """``Tue 6 Jul 2027 18:00–20:00 BST``; the end's date too when it falls on another day
    (``Tue 6 Jul 2027 18:00 BST – Wed 7 Jul 2027 09:00 BST``), and both abbreviations when
    the clocks change in between (``Sun 31 Oct 2027 00:30 BST–01:30 GMT``)."""
    first, last = _local(start, tz), _local(end, tz)
    if first.date() != last.date():
        return f"{plain_moment(first, tz)} – {plain_moment(last, tz)}"
    if first.tzname() != last.tzname():
        return f"{plain_moment(first, tz)}–{plain_time(last, tz)}"
    return f"{plain_date(first, tz)} {first:%H:%M}–{plain_time(last, tz)}"
