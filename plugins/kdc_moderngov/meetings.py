"""Council meetings from ModernGov's GetMeetings answer: ``kdc import moderngov-meetings``.

Each ``<meeting>`` becomes a public ``council_meeting`` event whose committee is
``<committeetitle>``, upserted by ``<meetingid>`` (source ``moderngov``), so a second run of
the same file changes nothing. Dates and times are the council's local time (Europe/London
unless ``timezone`` says otherwise) and are stored in UTC. GetMeetings gives no end time: a
meeting is taken to last ``--duration`` minutes (two hours by default). A meeting the source
marks ``Cancelled`` is cancelled here: the event stays, with STATUS:CANCELLED and a higher
SEQUENCE, so calendar clients remove it. Meetings missing from a later answer are left alone,
since a GetMeetings answer covers only the dates it was asked for.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from xml.etree.ElementTree import Element
from zoneinfo import ZoneInfo

import attrs

from kdc_core.calendar.events import update_event, upsert_external
from kdc_core.calendar.values import EventKind, EventStatus, NewEvent
from kdc_core.changes import ChangeSet
from kdc_core.config import Settings
from kdc_core.errors import ImportFailed
from kdc_core.people.committees import CommitteeIndex
from kdc_core.unit_of_work import UnitOfWork
from kdc_moderngov.config import DEFAULT_DURATION, ModernGovConfig
from kdc_moderngov.fetch import fetch
from kdc_moderngov.parse import _parse_xml, parse_date, text_of

SOURCE = "moderngov"
ROOT = "getmeetings"

_TIME = re.compile(
    r"^(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?(?::(?P<s>\d{2}))?\s*(?P<ampm>[ap])?\.?\s*m?\.?$",
    re.IGNORECASE,
)
#: ModernGov's meeting statuses (lower case) → ours. Anything else is refused by name.
STATUSES = {
    "": EventStatus.CONFIRMED,
    "confirmed": EventStatus.CONFIRMED,
    "scheduled": EventStatus.CONFIRMED,
    "provisional": EventStatus.TENTATIVE,
    "tentative": EventStatus.TENTATIVE,
    "draft": EventStatus.TENTATIVE,
    "cancelled": EventStatus.CANCELLED,
    "canceled": EventStatus.CANCELLED,
}


@attrs.frozen
class ModernGovMeeting:
    """One ``<meeting>`` of a GetMeetings answer, read but not yet placed in time.

    :ivar where: how messages name it: ``meeting 5001 (line 4)``.
    """

    id: str
    committee: str
    date: dt.date
    time: dt.time
    status: EventStatus
    venue: str | None = None
    committee_id: str | None = None
    where: str = ""

    def event(self, timezone: str, duration: dt.timedelta, link_base: str | None) -> NewEvent:
        """The event, with the local date and time made aware in ``timezone``."""
        start = dt.datetime.combine(self.date, self.time, tzinfo=ZoneInfo(timezone))
        description = f"ModernGov meeting {self.id}"
        if link_base:
            description += f": {link_base}/ieListDocuments.aspx?MId={self.id}"
        return NewEvent(
            kind=EventKind.COUNCIL_MEETING,
            title=self.committee,
            start=start,
            end=start + duration,
            timezone=timezone,
            location=self.venue,
            description=description,
            committee=self.committee,
            public=True,
            status=self.status,
            source=SOURCE,
            external_id=self.id,
        )


def parse_time(text: str) -> dt.time:
    """``"10:00"``, ``"17.30"``, ``"10:00:00"``, ``"2.30 pm"``, ``"2pm"`` → a time.

    :raises ValueError: not a time of day.
    """
    match = _TIME.match(text.strip())
    if not match or (match["m"] is None and match["ampm"] is None):
        raise ValueError(f"{text!r} is not a time of day")
    hour, minute, second = int(match["h"]), int(match["m"] or 0), int(match["s"] or 0)
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise ValueError(f"{text!r} is not a time of day")
        hour = hour % 12 + (12 if match["ampm"].lower() == "p" else 0)
    try:
        return dt.time(hour, minute, second)
    except ValueError:
        raise ValueError(f"{text!r} is not a time of day") from None


def _date_and_time(date_text: str, time_text: str | None) -> tuple[dt.date, dt.time]:
    day_part, _, rest = date_text.partition(" ")
    try:
        date = parse_date(day_part)
    except ValueError:
        try:
            date = dt.date.fromisoformat(day_part)
        except ValueError:
            raise ValueError(f"<meetingdate> {date_text!r} is not a dd/mm/yyyy date") from None
    time_text = time_text or rest.strip() or None
    if time_text is None:
        raise ValueError("has no <meetingtime>, so it cannot be placed in the day")
    return date, parse_time(time_text)


def parse_meetings(data: bytes, *, source: str) -> tuple[ModernGovMeeting, ...]:
    """Every meeting in a GetMeetings answer, in document order.

    :raises ImportFailed: malformed XML (with its line), a document that is not a GetMeetings
        answer, a meeting without an id, a committee, or a readable date and time, an unknown
        status, or the same id twice — naming the file, the line and the meeting.
    """
    root, lines = _parse_xml(data, source)
    if root.tag != ROOT:
        raise ImportFailed(
            f"expected a <{ROOT}> document (GetMeetings), found <{root.tag}>",
            source=source,
            record=f"line {lines.get(root, 1)}",
        )
    container = root.find("meetings")
    elements = (container if container is not None else root).findall("meeting")
    meetings: list[ModernGovMeeting] = []
    seen: dict[str, str] = {}
    for number, element in enumerate(elements, start=1):
        meeting = _meeting(element, number, lines.get(element, 0), source)
        if meeting.id in seen:
            raise ImportFailed(
                f"meeting id {meeting.id} appears twice (first at {seen[meeting.id]})",
                source=source,
                record=meeting.where,
            )
        seen[meeting.id] = meeting.where
        meetings.append(meeting)
    return tuple(meetings)


def _meeting(element: Element, number: int, line: int, source: str) -> ModernGovMeeting:
    meeting_id = text_of(element, "meetingid")
    where = (
        f"meeting {meeting_id} (line {line})" if meeting_id else f"meeting #{number} (line {line})"
    )

    def fail(message: str) -> ImportFailed:
        return ImportFailed(message, source=source, record=where)

    if meeting_id is None:
        raise fail("has no <meetingid>, so it cannot be matched on the next import")
    committee = text_of(element, "committeetitle")
    if committee is None:
        raise fail("has no <committeetitle>")
    date_text = text_of(element, "meetingdate")
    if date_text is None:
        raise fail("has no <meetingdate>")
    try:
        date, time = _date_and_time(date_text, text_of(element, "meetingtime"))
    except ValueError as exc:
        raise fail(str(exc)) from None
    status_text = text_of(element, "meetingstatus") or ""
    status = STATUSES.get(status_text.lower())
    if status is None:
        known = ", ".join(sorted({s.title() for s in STATUSES if s}))
        raise fail(f"<meetingstatus> {status_text!r} is not one kdc knows ({known})")
    return ModernGovMeeting(
        id=meeting_id,
        committee=committee,
        date=date,
        time=time,
        status=status,
        venue=text_of(element, "meetingvenue"),
        committee_id=text_of(element, "committeeid"),
        where=where,
    )


class MeetingEvents(list[NewEvent]):
    """The meetings' events, and each meeting's ModernGov committee id where the answer gives
    one (meeting id → committee id), for matching the committee on apply."""

    def __init__(self, events: list[NewEvent], committee_ids: dict[str, str]) -> None:
        super().__init__(events)
        self.committee_ids = committee_ids


def load_meetings(
    source: str, settings: Settings, duration: int = DEFAULT_DURATION
) -> Sequence[NewEvent]:
    """Read and check a GetMeetings answer (file or URL); the events to upsert.

    :param duration: minutes each meeting is taken to last.
    :raises ImportFailed: naming the file or URL and the line or meeting at fault.
    """
    config = ModernGovConfig.from_settings(settings)
    meetings = parse_meetings(fetch(source, timeout=config.timeout), source=source)
    length = dt.timedelta(minutes=duration)
    return MeetingEvents(
        [m.event(settings.timezone, length, config.base_url) for m in meetings],
        {m.id: m.committee_id for m in meetings if m.committee_id},
    )


def apply_meetings(uow: UnitOfWork, events: Sequence[NewEvent]) -> ChangeSet:
    """Upsert every meeting by its ModernGov id; cancelled ones keep their event.

    Each meeting takes the title of its stored committee (``kdc import moderngov-committees``),
    found by the ModernGov committee id when the answer gives one, else by title ignoring
    case, so that it concerns that committee's members. A meeting of a committee nothing here
    knows (no stored committee, no role naming it, not full Council) is imported as it is,
    concerning only whom it invites, with a warning.
    """
    index = CommitteeIndex.load(uow, SOURCE)
    committee_ids = getattr(events, "committee_ids", {})
    warnings: list[str] = []
    for new in events:
        title = new.committee or ""
        committee_id = committee_ids.get(new.external_id)
        matched = index.match(title, committee_id)
        if matched is None:
            known_as = f" (committee id {committee_id})" if committee_id else ""
            warnings.append(
                f"meeting {new.external_id}: committee {title!r}{known_as} is not known here "
                "(import moderngov-committees first), so the meeting concerns nobody yet"
            )
        elif matched != title:
            new = attrs.evolve(new, committee=matched)
        event, _changed = upsert_external(uow, new)
        if event.cancelled and event.cancelled_at is None:
            # First seen already cancelled: stamp when, as a cancellation here would.
            update_event(uow, event.id, status=EventStatus.CANCELLED)
    return attrs.evolve(uow.collect(), warnings=tuple(warnings))
