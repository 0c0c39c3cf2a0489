"""Reading an iCalendar feed into events: fetching, checking, naming and keying instances.

Used by :mod:`kdc_ical.importer`; pure apart from :func:`read_source`'s file or network read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs

from kdc_core import __version__
from kdc_core.calendar.values import EventKind, EventStatus, NewEvent
from kdc_core.config import Settings
from kdc_core.errors import ImportFailed
from kdc_core.timewords import plain_moment

TIMEOUT = 30.0
MAX_BYTES = 50 * 1024 * 1024
#: How long an event with neither DTEND nor DURATION is taken to last.
DEFAULT_DURATION = dt.timedelta(hours=1)
_LIMITS = {"title": 300, "location": 300, "committee": 200}
_WEB = ("http", "https", "webcal")
#: Properties RFC 5545 (3.6.1) allows at most once in a VEVENT.
_ONCE = (
    "UID", "DTSTART", "DTEND", "DURATION", "RECURRENCE-ID", "SUMMARY", "DESCRIPTION",
    "LOCATION", "STATUS", "CLASS", "SEQUENCE",
)  # fmt: skip


@attrs.frozen
class IcsRecord:
    """One instance read from the feed: the event to upsert and where it came from.

    :ivar series: the key prefix (``UID/``) of its recurring series; ``None`` for a one-off.
    :ivar window: the span that was expanded, as aware datetimes [start, end).
    """

    event: NewEvent
    series: str | None
    window: tuple[dt.datetime, dt.datetime]


def source_name(source: str) -> str:
    """``ics:`` + the URL's host or the file's name, at most 40 characters."""
    parts = urlsplit(source)
    name = (parts.hostname if parts.scheme in _WEB else Path(source).name) or source
    if len(name) > 36:
        name = name[:27] + "-" + hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"ics:{name}"


def uid_key(uid: str) -> str:
    """The UID, or a digest of it when it is too long to leave room for an instance."""
    return uid if len(uid) <= 100 else "sha1:" + hashlib.sha1(uid.encode()).hexdigest()


def read_source(source: str, timeout: float = TIMEOUT) -> bytes:
    """The bytes of a file, an http(s) URL or a webcal:// URL (fetched over https).

    :raises ImportFailed: naming the source when it cannot be read.
    """
    parts = urlsplit(source)
    if parts.scheme in _WEB:
        url = parts._replace(scheme="https").geturl() if parts.scheme == "webcal" else source
        request = urllib.request.Request(url, headers={"User-Agent": f"kdc-core/{__version__}"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                data: bytes = response.read(MAX_BYTES + 1)
        except urllib.error.HTTPError as exc:
            message = f"the server answered HTTP {exc.code} {exc.reason}"
            raise ImportFailed(message, source=source) from None
        except (OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ImportFailed(f"cannot fetch: {reason}", source=source) from None
    else:
        try:
            data = Path(source).read_bytes()
        except FileNotFoundError:
            raise ImportFailed("file not found", source=source) from None
        except OSError as exc:
            message = f"cannot read the file: {exc.strerror or exc}"
            raise ImportFailed(message, source=source) from None
    if len(data) > MAX_BYTES:
        raise ImportFailed(f"larger than {MAX_BYTES} bytes", source=source)
    return data


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _clip(text: str, field: str) -> str:
    limit = _LIMITS[field]
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Invalid(Exception):
    """One VEVENT cannot be imported; ``reason`` says why (the caller names the VEVENT)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class IcsReader:
    """Checks a parsed calendar's VEVENTs and turns expanded instances into
    :class:`IcsRecord`s, naming the VEVENT at fault (UID, summary, line) in every error.

    :param options: the command's options: ``kind`` (required), ``public`` (``None`` for the
        default), ``committee``.
    """

    def __init__(self, source: str, settings: Settings, **options: Any) -> None:
        self.source = source
        self.source_name = source_name(source)
        self.tz = settings.tz
        self.zone = settings.timezone
        self.kind = EventKind(options["kind"])
        self.public: bool | None = options.get("public")
        self.committee: str | None = options.get("committee")
        #: UID → the line of its first VEVENT; id(component) → the line of that VEVENT.
        self.lines: dict[str, int] = {}
        self.component_lines: dict[int, int] = {}
        self.series: set[str] = set()
        #: UID → the series' own CATEGORIES, for instances that do not repeat them.
        self.categories: dict[str, Any] = {}

    def line_of(self, component: Any) -> int | None:
        line = self.component_lines.get(id(component))
        return line if line is not None else self.lines.get(_text(component.get("UID")))

    def where(self, component: Any) -> str:
        uid = _text(component.get("UID"))
        summary = _text(component.get("SUMMARY"))
        line = self.line_of(component)
        return (
            f"VEVENT {uid!r}"
            + (f" {summary!r}" if summary else "")
            + (f" (line {line})" if line else "")
        )

    def fail(self, message: str, component: Any) -> ImportFailed:
        return ImportFailed(message, source=self.source, record=self.where(component))

    def when(self, value: dt.date) -> str:
        """A time for a person: the council's time zone, to the minute (``18:00 BST``)."""
        return plain_moment(self.instant(value), self.tz)

    def instant(self, value: dt.date) -> dt.datetime:
        """An aware datetime for comparing (floating times and dates: the council's zone)."""
        return self.aware(value)

    def note(self, component: Any, line: int | None) -> str:
        """Remember where the VEVENT starts; return its UID ("" when it has none)."""
        uid = _text(component.get("UID"))
        if line is not None:
            self.component_lines[id(component)] = line
            if uid:
                self.lines.setdefault(uid, line)
        return uid

    def check_component(self, component: Any) -> None:
        """A DTSTART, readable properties, known time zones, an end after the start, a
        representable duration. Notes recurring UIDs and the series' CATEGORIES.

        :raises Invalid: saying what is wrong.
        """
        uid = _text(component.get("UID"))
        if component.errors:
            name, error = component.errors[0]
            raise Invalid(f"cannot read {name}: {error}")
        repeated = {name for name, value in component.items() if isinstance(value, list)}
        for name in _ONCE:
            if name in repeated:
                raise Invalid(f"has {name} more than once")
        start = component.get("DTSTART")
        if start is None:
            raise Invalid("has no DTSTART")
        if not isinstance(start.dt, dt.date):
            raise Invalid(f"has a DTSTART that is not a date or a time ({start.to_ical()!r})")
        naive = isinstance(start.dt, dt.datetime) and start.dt.tzinfo is None
        if naive and "TZID" in start.params:
            zone = start.params["TZID"]
            raise Invalid(f"TZID {zone!r} is not a time zone kdc knows")
        end = component.get("DTEND")
        if end is not None:
            if not isinstance(end.dt, dt.date):
                raise Invalid(f"has a DTEND that is not a date or a time ({end.to_ical()!r})")
            if self.aware(end.dt) < self.aware(start.dt):
                raise Invalid(
                    f"ends ({self.when(end.dt)}) before it starts ({self.when(start.dt)})"
                )
        duration = component.get("DURATION")
        if duration is not None:
            if end is not None:
                raise Invalid("has both DTEND and DURATION")
            if not isinstance(duration.dt, dt.timedelta):
                raise Invalid(f"has a DURATION that is not a duration ({duration.to_ical()!r})")
            if duration.dt < dt.timedelta(0):
                raise Invalid(f"has a negative DURATION ({duration.to_ical().decode()})")
            try:
                self.aware(start.dt) + duration.dt
            except OverflowError:
                raise Invalid(
                    f"lasts {duration.to_ical().decode()}, which ends beyond the year 9999"
                ) from None
        for name in ("RDATE", "EXDATE"):
            props = component.get(name)
            for prop in props if isinstance(props, list) else [] if props is None else [props]:
                for value in getattr(prop, "dts", []):
                    if isinstance(value.dt, tuple):
                        continue  # a PERIOD
                    if not isinstance(value.dt, dt.date):
                        raise Invalid(f"has an {name} that is not a date or a time")
        if any(name in component for name in ("RRULE", "RDATE", "RECURRENCE-ID")):
            self.series.add(uid)
        if "RECURRENCE-ID" not in component and "CATEGORIES" in component:
            self.categories.setdefault(uid, component["CATEGORIES"])

    def aware(self, value: dt.date) -> dt.datetime:
        """Floating times and dates are the council's time zone."""
        if isinstance(value, dt.datetime):
            return value if value.tzinfo is not None else value.replace(tzinfo=self.tz)
        return dt.datetime.combine(value, dt.time(), tzinfo=self.tz)

    def key(
        self, uid: str, component: Any, instance: dt.date | None = None
    ) -> tuple[str, str | None]:
        """``(external_id, series prefix)``: the UID, plus the instance for a series (its
        RECURRENCE-ID, or ``instance``, or its start)."""
        if uid not in self.series:
            return uid_key(uid), None
        prefix = uid_key(uid) + "/"
        if instance is None:
            rid = component.get("RECURRENCE-ID")
            instance = rid.dt if rid is not None else component.start
        if isinstance(instance, dt.datetime):
            utc = self.aware(instance).astimezone(dt.UTC)
            return prefix + utc.strftime("%Y%m%dT%H%M%SZ"), prefix
        return prefix + instance.strftime("%Y%m%d"), prefix

    def fields(self, component: Any) -> dict[str, Any]:
        """What an event takes from its VEVENT apart from its times and key."""
        status = _text(component.get("STATUS")).upper()
        private = _text(component.get("CLASS")).upper() in ("PRIVATE", "CONFIDENTIAL")
        public = self.kind == EventKind.COUNCIL_MEETING if self.public is None else self.public
        committee = self.committee or self.category(component)
        return {
            "kind": self.kind,
            "title": _clip(_text(component.get("SUMMARY")) or "Untitled event", "title"),
            "location": _clip(_text(component.get("LOCATION")), "location") or None,
            "description": str(component.get("DESCRIPTION", "")).strip() or None,
            "committee": _clip(committee, "committee") if committee else None,
            "public": public and not private,
            "status": {"CANCELLED": EventStatus.CANCELLED, "TENTATIVE": EventStatus.TENTATIVE}.get(
                status, EventStatus.CONFIRMED
            ),
            "source": self.source_name,
        }

    def record(
        self,
        component: Any,
        window: tuple[dt.datetime, dt.datetime],
        times: tuple[dt.date, dt.date | None] | None = None,
        instance: dt.date | None = None,
        fields: dict[str, Any] | None = None,
    ) -> IcsRecord:
        """The event for one instance: a component from recurring-ical-events or a one-off
        VEVENT as it is in the feed; or, with ``times`` (start, end) and ``instance`` (the
        original start, for the key), an occurrence of the VEVENT ``component``, whose
        :meth:`fields` may be passed in to save working them out again.

        :raises Invalid: the instance cannot be an event (its times or its fields).
        """
        uid = _text(component.get("UID"))
        try:
            raw_start, raw_end = times if times is not None else (component.start, component.end)
            all_day = not isinstance(raw_start, dt.datetime)
            start = self.aware(raw_start)
            end = self.aware(raw_end) if raw_end is not None else start
        except (OverflowError, ValueError, TypeError) as exc:
            raise Invalid(f"has times that cannot be read: {exc}") from None
        if end == start:
            end = start + (dt.timedelta(days=1) if all_day else DEFAULT_DURATION)
        external_id, prefix = self.key(uid, component, instance)
        zone = None if all_day else getattr(start.tzinfo, "key", None)
        try:
            event = NewEvent(
                start=start,
                end=end,
                timezone=zone if zone and zone != "UTC" else self.zone,
                external_id=external_id,
                **(fields if fields is not None else self.fields(component)),
            )
        except ValueError as exc:
            raise Invalid(str(exc)) from None
        return IcsRecord(event, prefix, window)

    def category(self, component: Any) -> str | None:
        """The first CATEGORIES value (the series' when an instance has none), for council
        meetings; other kinds have no committee."""
        if self.kind != EventKind.COUNCIL_MEETING:
            return None
        values = component.get("CATEGORIES") or self.categories.get(_text(component.get("UID")))
        for value in values if isinstance(values, list) else [values]:
            for category in getattr(value, "cats", []):
                if _text(category):
                    return _text(category)
        return None
