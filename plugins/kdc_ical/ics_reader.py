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
import icalendar

from kdc_core import __version__
from kdc_core.calendar.values import EventKind, EventStatus, NewEvent
from kdc_core.config import Settings
from kdc_core.errors import ImportFailed

TIMEOUT = 30.0
MAX_BYTES = 50 * 1024 * 1024
#: How long an event with neither DTEND nor DURATION is taken to last.
DEFAULT_DURATION = dt.timedelta(hours=1)
_LIMITS = {"title": 300, "location": 300, "committee": 200}
_WEB = ("http", "https", "webcal")


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


class IcsReader:
    """Checks a parsed calendar and turns its expanded instances into :class:`IcsRecord`s,
    naming the VEVENT at fault (UID, summary, line) in every error.

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
        self.lines: dict[str, int] = {}
        self.series: set[str] = set()
        #: UID → the series' own CATEGORIES, for instances that do not repeat them.
        self.categories: dict[str, Any] = {}

    def where(self, component: Any) -> str:
        uid = _text(component.get("UID"))
        summary = _text(component.get("SUMMARY"))
        line = self.lines.get(uid)
        return (
            f"VEVENT {uid!r}"
            + (f" {summary!r}" if summary else "")
            + (f" (line {line})" if line else "")
        )

    def fail(self, message: str, component: Any) -> ImportFailed:
        return ImportFailed(message, source=self.source, record=self.where(component))

    def check(self, calendar: icalendar.Component, text: str) -> None:
        """Every VEVENT has a UID, a DTSTART, readable properties and known time zones.
        Notes each UID's first line and which UIDs are recurring series."""
        begins = [
            n for n, line in enumerate(text.splitlines(), 1) if line.strip() == "BEGIN:VEVENT"
        ]
        for number, component in enumerate(calendar.walk("VEVENT"), start=1):
            line = begins[number - 1] if number <= len(begins) else None
            uid = _text(component.get("UID"))
            if not uid:
                raise ImportFailed(
                    "has no UID, so it cannot be matched on the next import",
                    source=self.source,
                    record=f"VEVENT #{number}" + (f" (line {line})" if line else ""),
                )
            if line is not None:
                self.lines.setdefault(uid, line)
            if component.errors:
                name, error = component.errors[0]
                raise self.fail(f"cannot read {name}: {error}", component)
            start = component.get("DTSTART")
            if start is None:
                raise self.fail("has no DTSTART", component)
            naive = isinstance(start.dt, dt.datetime) and start.dt.tzinfo is None
            if naive and "TZID" in start.params:
                zone = start.params["TZID"]
                raise self.fail(f"TZID {zone!r} is not a time zone kdc knows", component)
            end = component.get("DTEND")
            if end is not None and self.aware(end.dt) < self.aware(start.dt):
                raise self.fail(f"ends ({end.to_ical().decode()}) before it starts", component)
            if any(name in component for name in ("RRULE", "RDATE", "RECURRENCE-ID")):
                self.series.add(uid)
            if "RECURRENCE-ID" not in component and "CATEGORIES" in component:
                self.categories[uid] = component["CATEGORIES"]

    def aware(self, value: dt.date) -> dt.datetime:
        """Floating times and dates are the council's time zone."""
        if isinstance(value, dt.datetime):
            return value if value.tzinfo is not None else value.replace(tzinfo=self.tz)
        return dt.datetime.combine(value, dt.time(), tzinfo=self.tz)

    def key(self, uid: str, component: Any) -> tuple[str, str | None]:
        """``(external_id, series prefix)``: the UID, plus the instance for a series."""
        if uid not in self.series:
            return uid_key(uid), None
        prefix = uid_key(uid) + "/"
        rid = component.get("RECURRENCE-ID")
        value = rid.dt if rid is not None else component.start
        if isinstance(value, dt.datetime):
            return prefix + self.aware(value).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ"), prefix
        return prefix + value.strftime("%Y%m%d"), prefix

    def record(self, component: Any, window: tuple[dt.datetime, dt.datetime]) -> IcsRecord:
        """The event for one expanded instance (a component from recurring-ical-events)."""
        uid = _text(component.get("UID"))
        all_day = not isinstance(component.start, dt.datetime)
        start = self.aware(component.start)
        end = self.aware(component.end) if component.end is not None else start
        if end == start:
            end = start + (dt.timedelta(days=1) if all_day else DEFAULT_DURATION)
        external_id, prefix = self.key(uid, component)
        zone = None if all_day else getattr(start.tzinfo, "key", None)
        status = _text(component.get("STATUS")).upper()
        private = _text(component.get("CLASS")).upper() in ("PRIVATE", "CONFIDENTIAL")
        public = self.kind == EventKind.COUNCIL_MEETING if self.public is None else self.public
        committee = self.committee or self.category(component)
        try:
            event = NewEvent(
                kind=self.kind,
                title=_clip(_text(component.get("SUMMARY")) or "Untitled event", "title"),
                start=start,
                end=end,
                timezone=zone if zone and zone != "UTC" else self.zone,
                location=_clip(_text(component.get("LOCATION")), "location") or None,
                description=str(component.get("DESCRIPTION", "")).strip() or None,
                committee=_clip(committee, "committee") if committee else None,
                public=public and not private,
                status={"CANCELLED": EventStatus.CANCELLED, "TENTATIVE": EventStatus.TENTATIVE}.get(
                    status, EventStatus.CONFIRMED
                ),
                source=self.source_name,
                external_id=external_id,
            )
        except ValueError as exc:
            raise self.fail(str(exc), component) from None
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
