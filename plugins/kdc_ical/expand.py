"""Checking a feed's VEVENTs one by one and expanding each within bounds.

:func:`read_feed` is the reading half of ``kdc import ics``: it decodes the bytes (refusing
NUL and other control characters and bad UTF-8 by line), parses the calendar, checks every
VEVENT, refuses duplicates (the same UID and RECURRENCE-ID twice), then expands each UID's
series lazily, a slice of the window at a time, counting as it goes:

- more than ``max_instances`` instances of one UID inside the window stops that event;
- more than ``max_events`` events in all stops the import, whatever ``skip_invalid`` says;
- SECONDLY and MINUTELY rules (and BYMINUTE/BYSECOND lists) are refused unless
  ``allow_sub_daily``; any rule that would step through more than :data:`MAX_STEPS`
  repetitions before the window's end is refused, so expansion never runs away.

A problem with one VEVENT is an :class:`~kdc_core.errors.ImportFailed` naming the file and
the VEVENT (UID, summary, line); with ``skip_invalid`` every VEVENT of that UID is left out
instead and the problem is listed in :attr:`IcsRecords.skipped`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import attrs
import icalendar
import recurring_ical_events
import x_wr_timezone

from kdc_core.errors import ImportFailed
from kdc_ical.defaults import DEFAULT_MAX_EVENTS, DEFAULT_MAX_INSTANCES
from kdc_ical.ics_reader import IcsReader, IcsRecord, Invalid
from kdc_ical.occurrences import Occurrences
from kdc_ical.parse import parse_calendar

#: Repetitions of a rule from its DTSTART to the window's end beyond which it is refused.
MAX_STEPS = 1_000_000
#: Repetitions expanded per slice of the window (the slice grows while it finds few).
SLICE = 64
SUB_DAILY = ("SECONDLY", "MINUTELY")
_SECONDS = {
    "SECONDLY": 1,
    "MINUTELY": 60,
    "HOURLY": 3600,
    "DAILY": 86400,
    "WEEKLY": 7 * 86400,
    "MONTHLY": 28 * 86400,
    "YEARLY": 365 * 86400,
}
#: Control characters RFC 5545 does not allow in content (HTAB, LF and CR are allowed).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@attrs.frozen
class Limits:
    """The bounds of one import (``--max-instances``, ``--max-events``, ``--allow-sub-daily``)."""

    max_instances: int = DEFAULT_MAX_INSTANCES
    max_events: int = DEFAULT_MAX_EVENTS
    allow_sub_daily: bool = False


@attrs.frozen
class Skipped:
    """A VEVENT left out under ``--skip-invalid``: which one, and why."""

    record: str
    reason: str

    def __str__(self) -> str:
        return f"{self.record}: {self.reason}"


class IcsRecords(list[IcsRecord]):
    """The records read from a feed, and the VEVENTs skipped (``--skip-invalid``)."""

    def __init__(self, records: list[IcsRecord], skipped: list[Skipped]) -> None:
        super().__init__(records)
        self.skipped = tuple(skipped)

    @property
    def warnings(self) -> tuple[str, ...]:
        """One line per skipped VEVENT, for the import command to print and log."""
        return tuple(f"skipped {s}" for s in self.skipped)


def decode(data: bytes) -> tuple[str, dict[int, str]]:
    """The text, and line number → what is wrong with that line (bad UTF-8, NUL or other
    control characters). Bad bytes are replaced so the rest can still be parsed."""
    problems: dict[int, str] = {}
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", "replace")
        for number, raw in enumerate(data.splitlines(), 1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                problems[number] = f"line {number} is not UTF-8 (byte {raw[exc.start]:#04x})"
    if text.startswith("\ufeff"):
        text = text[1:]
    if _CONTROL.search(text):
        for number, line in enumerate(text.splitlines(), 1):
            found = _CONTROL.search(line)
            if found and number not in problems:
                name = "a NUL byte" if found.group() == "\x00" else f"{ord(found.group()):#04x}"
                problems[number] = f"line {number} holds {name}, which iCalendar does not allow"
        text = _CONTROL.sub("\ufffd", text)
    return text, problems


def vevent_spans(text: str) -> list[tuple[int, int]]:
    """(first line, last line) of every VEVENT, in order (line numbers of the raw file)."""
    spans, begin = [], None
    for number, line in enumerate(text.splitlines(), 1):
        name = line.strip().upper()
        if name == "BEGIN:VEVENT":
            begin = number
        elif name == "END:VEVENT" and begin is not None:
            spans.append((begin, number))
            begin = None
    if begin is not None:
        spans.append((begin, begin))
    return spans


class FeedReader:
    """Reads one parsed feed into records within :class:`Limits` (see the module docstring)."""

    def __init__(
        self,
        reader: IcsReader,
        span: tuple[dt.datetime, dt.datetime],
        limits: Limits,
        skip_invalid: bool,
    ) -> None:
        self.reader = reader
        self.span = span
        self.limits = limits
        self.skip_invalid = skip_invalid
        self.skipped: list[Skipped] = []
        self.count = 0

    def problem(self, record: str, reason: str) -> None:
        """Raise, or note the skip with ``--skip-invalid``."""
        if not self.skip_invalid:
            raise ImportFailed(reason, source=self.reader.source, record=record)
        self.skipped.append(Skipped(record, reason))

    def read(self, text: str, bad_lines: dict[int, str]) -> IcsRecords:
        calendar = self.parse(text)
        spans = vevent_spans(text)
        groups: dict[str, list[Any]] = defaultdict(list)
        bad: dict[str, tuple[str, str]] = {}
        for number, component in enumerate(calendar.walk("VEVENT"), start=1):
            first, last = spans[number - 1] if number <= len(spans) else (None, None)
            uid = self.reader.note(component, first)
            if not uid:
                at = f" (line {first})" if first else ""
                self.problem(
                    f"VEVENT #{number}{at}",
                    "has no UID, so it cannot be matched on the next import",
                )
                continue
            groups[uid].append(component)
            if uid in bad:
                continue
            lines = [n for n in bad_lines if first and last and first <= n <= last]
            try:
                if lines:
                    raise Invalid(bad_lines[lines[0]])
                self.reader.check_component(component)
                self.check_rule(component)
            except Invalid as exc:
                bad[uid] = (self.reader.where(component), exc.reason)
            except Exception as exc:  # a shape no check foresaw: still named, never a traceback
                bad[uid] = (self.reader.where(component), f"cannot be read: {_reason(exc)}")
        outside = [n for n in bad_lines if not any(a <= n <= b for a, b in spans)]
        if outside:
            raise ImportFailed(bad_lines[min(outside)], source=self.reader.source)
        for uid, components in groups.items():
            if uid not in bad:
                duplicate = self.duplicate(components)
                if duplicate:
                    bad[uid] = duplicate
        records: list[IcsRecord] = []
        for uid, components in groups.items():
            if uid in bad:
                self.problem(*bad[uid])
                continue
            before = self.count
            try:
                records.extend(list(self.expand(components)))
            except ImportFailed:
                raise
            except Exception as exc:  # Invalid, or a shape no check foresaw
                self.count = before
                reason = (
                    exc.reason if isinstance(exc, Invalid) else f"cannot be read: {_reason(exc)}"
                )
                self.problem(self.reader.where(components[0]), reason)
        records.sort(key=lambda r: (r.event.start, r.event.external_id or ""))
        return IcsRecords(records, self.skipped)

    def parse(self, text: str) -> icalendar.Component:
        source = self.reader.source
        try:
            calendar = parse_calendar(text)
        except Exception as exc:  # icalendar raises ValueError and, on odd input, others
            raise ImportFailed(f"not an iCalendar file: {exc}", source=source) from None
        if isinstance(calendar, list):
            raise ImportFailed("holds more than one VCALENDAR", source=source)
        if calendar.name != "VCALENDAR":
            raise ImportFailed(f"expected a VCALENDAR, found {calendar.name}", source=source)
        try:  # X-WR-TIMEZONE, as recurring-ical-events reads it (it is one of its parts)
            standard: icalendar.Component = x_wr_timezone.to_standard(calendar)
        except Exception as exc:
            raise ImportFailed(f"cannot use X-WR-TIMEZONE: {exc}", source=source) from None
        return standard

    def duplicate(self, components: list[Any]) -> tuple[str, str] | None:
        """The same UID twice with the same RECURRENCE-ID (or twice with none)."""
        seen: dict[Any, Any] = {}
        for component in components:
            rid = component.get("RECURRENCE-ID")
            key = None if rid is None else self.reader.instant(rid.dt)
            if key in seen:
                which = "no RECURRENCE-ID" if key is None else "the same RECURRENCE-ID"
                first = self.reader.line_of(seen[key])
                again = self.reader.line_of(component)
                lines = f" (lines {first} and {again})" if first and again else ""
                return (
                    self.reader.where(component),
                    f"appears twice with this UID and {which}{lines}; "
                    "one feed may hold an event only once",
                )
            seen[key] = component
        return None

    def check_rule(self, component: Any) -> None:
        """Sub-daily rules only when allowed; no rule that steps too far to expand."""
        for rrule in _as_list(component.get("RRULE")):
            freq = _first(rrule.get("FREQ"))
            if freq is None:
                raise Invalid("has an RRULE without FREQ")
            freq = str(freq).upper()
            fine = any(len(rrule.get(part, [])) > 1 for part in ("BYMINUTE", "BYSECOND"))
            if (freq in SUB_DAILY or fine) and not self.limits.allow_sub_daily:
                raise Invalid(
                    f"repeats {freq.lower() if freq in SUB_DAILY else 'several times an hour'}"
                    " (RRULE FREQ=" + freq + "); sub-daily repetition is refused unless "
                    "--allow-sub-daily is given"
                )
            count = _first(rrule.get("COUNT"))
            if count is not None and int(count) < 1:
                raise Invalid(f"has RRULE COUNT={count}: a rule must repeat at least once")
            given = _first(rrule.get("INTERVAL"))
            interval = 1 if given is None else int(given)
            if interval < 1:
                raise Invalid(f"has RRULE INTERVAL={interval}: it must be at least 1")
            start = self.reader.instant(component["DTSTART"].dt)
            bounded = count is not None or any(k.startswith("BY") for k in rrule)
            inside = (self.span[1] - max(start, self.span[0])).total_seconds()
            if not bounded and inside / (_SECONDS.get(freq, 86400) * interval) > (
                self.limits.max_instances + 1
            ):
                raise Invalid(
                    f"repeats {freq.lower()} with no end: more than "
                    f"{self.limits.max_instances:,} instances between "
                    f"{self.reader.when(self.span[0])} and {self.reader.when(self.span[1])}; "
                    "import a shorter window (--from/--to) or raise --max-instances"
                )
            until = _first(rrule.get("UNTIL"))
            end = self.span[1]
            if until is not None:
                end = min(end, self.reader.instant(until))
            seconds = max((end - start).total_seconds(), 0)
            steps = seconds / (_SECONDS.get(freq, 86400) * interval)
            if steps > MAX_STEPS:
                raise Invalid(
                    f"repeats {freq.lower()} from {self.reader.when(start)}: about "
                    f"{steps:,.0f} repetitions before the import window ends, more than "
                    f"{MAX_STEPS:,} can be stepped through"
                )

    def expand(self, components: list[Any]) -> Iterator[IcsRecord]:
        """The instances of one UID in the window, counted against the limits."""
        reader, (start, end) = self.reader, self.span
        master = components[0]
        one_off = not any(p in master for p in ("RRULE", "RDATE", "RECURRENCE-ID"))
        if len(components) == 1 and one_off:  # no expansion needed
            record = reader.record(master, self.span)
            if record.event.end > start and record.event.start < end:
                self.add(master)
                yield record
            return
        calendar = icalendar.Calendar()
        for component in components:
            calendar.add_component(component)
        try:
            query = recurring_ical_events.of(calendar)
        except Exception as exc:
            raise Invalid(f"cannot be expanded: {_reason(exc)}") from None
        occurrences = Occurrences(reader, components)
        seen: set[str] = set()
        found = 0
        length = dt.timedelta(seconds=_SECONDS.get(_freq(master), 7 * 86400) * SLICE)
        slice_start = start
        while slice_start < end:
            slice_end = min(end, slice_start + length)
            records = occurrences.between(query, slice_start, slice_end, self.span)
            made = 0
            while True:
                try:
                    record, component = next(records)
                except StopIteration:
                    break
                except Invalid:
                    raise
                except Exception as exc:
                    raise Invalid(f"cannot be expanded: {_reason(exc)}") from None
                made += 1
                key = record.event.external_id or ""
                if key in seen:
                    continue
                seen.add(key)
                found += 1
                if found > self.limits.max_instances:
                    raise Invalid(
                        f"has more than {self.limits.max_instances:,} instances between "
                        f"{reader.when(start)} and {reader.when(end)}; import a shorter window "
                        "(--from/--to) or raise --max-instances"
                    )
                self.add(component)
                yield record
            if made < SLICE // 2:
                length *= 2
            slice_start = slice_end

    def add(self, component: Any) -> None:
        self.count += 1
        if self.count > self.limits.max_events:
            raise ImportFailed(
                f"more than {self.limits.max_events:,} events to import; the import stops "
                "here (raise --max-events or import a shorter window)",
                source=self.reader.source,
                record=self.reader.where(component),
            )


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _first(values: Any) -> Any:
    if isinstance(values, list | tuple):
        return values[0] if values else None
    return values


def _freq(component: Any) -> str:
    rules = _as_list(component.get("RRULE"))
    return str(_first(rules[0].get("FREQ")) or "WEEKLY").upper() if rules else "YEARLY"


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, OverflowError):
        return f"a date beyond what can be represented ({text})"
    return text
