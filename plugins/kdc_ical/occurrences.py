"""One UID's occurrences in a span of the import window, made into records: the expanding
half of :mod:`kdc_ical.expand`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from kdc_ical.ics_reader import IcsReader, IcsRecord


class Occurrences:
    """One UID's occurrences in a span, made into records.

    Each occurrence takes its fields from the VEVENT it comes from (the series, or the
    override with its RECURRENCE-ID), worked out once per VEVENT rather than once per
    occurrence. A series with a RANGE=THISANDFUTURE override is read through whole copied
    components instead, which carry what the override changes for later instances.
    """

    def __init__(self, reader: IcsReader, components: list[Any]) -> None:
        self.reader = reader
        self.masters = [c for c in components if "RECURRENCE-ID" not in c]
        self.overrides: dict[Any, Any] = {}
        self.plain = True
        for component in components:
            rid = component.get("RECURRENCE-ID")
            if rid is None:
                continue
            if "RANGE" in rid.params:
                self.plain = False
            self.overrides[rid_key(rid.dt)] = component
        self.fields: dict[int, dict[str, Any]] = {}

    def between(
        self,
        query: Any,
        start: dt.datetime,
        end: dt.datetime,
        window: tuple[dt.datetime, dt.datetime],
    ) -> Iterator[tuple[IcsRecord, Any]]:
        """Made one at a time, so a caller that stops at a limit has not made the rest."""
        reader = self.reader
        if not self.plain:
            for c in query.between(start, end):
                yield reader.record(c, window, instance=self.original(c)), c
            return
        for series in query.series:
            for occurrence in series.between(start, end):
                source = next(
                    (self.overrides[r] for r in occurrence.recurrence_ids if r in self.overrides),
                    None,
                )
                if source is None and not occurrence.recurrence_ids and self.masters:
                    source, instance = self.masters[0], occurrence.start
                elif source is not None:
                    instance = None
                else:  # not expected: fall back to the library's own copy
                    copy = occurrence.as_component(False)
                    yield reader.record(copy, window), copy
                    continue
                fields = self.fields.get(id(source))
                if fields is None:
                    fields = self.fields[id(source)] = reader.fields(source)
                times = (occurrence.start, occurrence.end)
                yield reader.record(source, window, times, instance, fields), source

    def original(self, copy: Any) -> dt.date | None:
        """The original start of an instance a RANGE=THISANDFUTURE override moved: the copy
        carries the override's RECURRENCE-ID, so its own start less the override's move."""
        rid = copy.get("RECURRENCE-ID")
        if rid is None or "RANGE" not in rid.params:
            return None
        override = self.overrides.get(rid_key(rid.dt))
        if override is None:
            return None
        moved = self.reader.aware(override.start) - self.reader.aware(rid.dt)
        return self.reader.aware(copy.start) - moved


def rid_key(value: dt.date) -> dt.date:
    """A RECURRENCE-ID as recurring-ical-events identifies it: UTC without a zone."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value
