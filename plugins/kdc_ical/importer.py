"""``kdc import ics``: events from any iCalendar feed, recurrences expanded.

- Each instance in the window (``--from``/``--to``, by default 30 days back to a year ahead)
  becomes an event upserted by (source, key): the source is ``ics:`` and the feed's host or
  file name; a one-off event's key is its UID, an instance of a recurring series' key is
  ``UID/`` and its RECURRENCE-ID in UTC, which a moved instance keeps.
- STATUS:CANCELLED (on a series or on one instance) cancels the event; an instance that
  drops out of a series still in the feed (a new EXDATE) is cancelled too. Cancelled events
  stay, with a higher SEQUENCE, so calendar clients remove them.
- Times with a TZID keep their zone; UTC stays UTC; floating times and all-day dates are the
  council's time zone (an all-day event runs from midnight to midnight). An event with no
  end and no duration lasts an hour.
- The committee is ``--committee`` or, for council meetings, the first CATEGORIES value.
- ``--public``/``--private`` decides visibility; by default council meetings are public and
  other kinds private. CLASS:PRIVATE or CONFIDENTIAL always makes an event private.
- Every VEVENT is checked on its own and expanded within bounds (``--max-instances``,
  ``--max-events``, sub-daily rules only with ``--allow-sub-daily``): see
  :mod:`kdc_ical.expand`. Any problem stops the import naming the file and the VEVENT (UID,
  summary, line) before anything is written; with ``--skip-invalid`` the VEVENTs at fault are
  left out (with the rest of their UID) and listed as warnings instead.
- :func:`apply_ics` writes the whole feed in one batch
  (:func:`kdc_core.calendar.bulk.upsert_external_many`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from kdc_core.calendar.bulk import upsert_external_many
from kdc_core.calendar.events import cancel_events
from kdc_core.calendar.values import EventStatus
from kdc_core.changes import ChangeSet
from kdc_core.config import Settings
from kdc_core.db import EventRow
from kdc_core.errors import ImportFailed
from kdc_core.unit_of_work import UnitOfWork
from kdc_ical.defaults import DAYS_AHEAD, DAYS_BACK, DEFAULT_MAX_EVENTS, DEFAULT_MAX_INSTANCES
from kdc_ical.expand import FeedReader, IcsRecords, Limits, decode
from kdc_ical.ics_reader import IcsReader, IcsRecord, read_source

_INSTANCE = re.compile(r"^\d{8}(T\d{6}Z)?$")


def window(
    settings: Settings, first: dt.date | None = None, last: dt.date | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """[first day 00:00, the day after the last 00:00) in the council's time zone."""
    today = dt.datetime.now(settings.tz).date()
    first = first or today - dt.timedelta(days=DAYS_BACK)
    last = last or today + dt.timedelta(days=DAYS_AHEAD)
    if last < first:
        raise ImportFailed(f"--to {last} is before --from {first}")
    return (
        dt.datetime.combine(first, dt.time(), settings.tz),
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), settings.tz),
    )


def _day(value: dt.date | None) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else value


def load_ics(source: str, settings: Settings, **options: Any) -> IcsRecords:
    """``load_ics(source, settings, kind=, public=None, committee=None, from_date=None,
    to_date=None, max_instances=1000, max_events=50000, allow_sub_daily=False,
    skip_invalid=False)``: read the feed, check every VEVENT, expand recurrences over the
    window within the bounds (see :mod:`kdc_ical.expand`).

    :raises ImportFailed: naming the file or URL and the VEVENT (UID, summary, line) at fault;
        with ``skip_invalid`` only for the file as a whole or for ``max_events``.
    """
    span = window(
        settings, _day(options.pop("from_date", None)), _day(options.pop("to_date", None))
    )
    limits = Limits(
        max_instances=options.pop("max_instances", None) or DEFAULT_MAX_INSTANCES,
        max_events=options.pop("max_events", None) or DEFAULT_MAX_EVENTS,
        allow_sub_daily=bool(options.pop("allow_sub_daily", False)),
    )
    skip_invalid = bool(options.pop("skip_invalid", False))
    text, bad_lines = decode(read_source(source))
    reader = IcsReader(source, settings, **options)
    return FeedReader(reader, span, limits, skip_invalid).read(text, bad_lines)


def apply_ics(uow: UnitOfWork, records: Sequence[IcsRecord]) -> ChangeSet:
    """Upsert every instance; cancel instances that dropped out of a series in the feed."""
    upsert_external_many(uow, [record.event for record in records])
    cancel_events(uow, dropped_instances(uow, records))
    return uow.collect()


def dropped_instances(uow: UnitOfWork, records: Sequence[IcsRecord]) -> list[int]:
    """Live events of a series in the feed, starting in the window, that the feed no longer
    has. Events of series or one-offs absent from the feed are left alone: several feeds
    may share a source name (one host), and a one-off may just have moved out of the window."""
    if not records:
        return []
    source = records[0].event.source
    start, end = records[0].window
    seen = {r.event.external_id for r in records}
    prefixes = {r.series for r in records if r.series}
    dropped = []
    rows = uow.session.execute(
        select(EventRow.id, EventRow.external_id).where(
            EventRow.source == source,
            EventRow.status != EventStatus.CANCELLED.value,
            EventRow.start >= start,
            EventRow.start < end,
        )
    )
    for event_id, external_id in rows:
        key = external_id or ""
        if key in seen:
            continue
        # an instance's key is its series' prefix (which ends in "/") and the instance
        cut = key.rfind("/") + 1
        if cut and key[:cut] in prefixes and _INSTANCE.match(key[cut:]):
            dropped.append(event_id)
    return dropped
