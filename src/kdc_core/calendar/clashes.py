"""Clash checks: the same person expected at two overlapping events.

Two events clash for a person when their times overlap (half-open: one ending at 12:00 and
another starting at 12:00 do not clash) and both concern that person — see
:mod:`kdc_core.calendar.concerns` for who an event concerns. Cancelled events never clash.

- :func:`find_clashes` lists every clash in a span: one sweep through the events in time
  order, comparing each only with those still running, so a year of ~600 events costs a few
  thousand comparisons, not 180,000.
- :func:`clashes_for` checks one event (stored, or a ``NewEvent`` not yet saved) against the
  others.
- :class:`ClashIndex` holds a span's events in memory for callers that check many candidate
  events (the walkabout rota): build it once with :meth:`ClashIndex.load`, then
  :meth:`ClashIndex.clashes_with` costs no queries.
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
import heapq
from collections.abc import Iterable, Mapping

import attrs
from sqlalchemy import select

from kdc_core.calendar.concerns import EventLike, Membership, load_membership
from kdc_core.calendar.values import CalendarEvent, EventKind, EventStatus, NewEvent
from kdc_core.db.people import CouncillorRow, OfficerRow
from kdc_core.timewords import plain_span
from kdc_core.unit_of_work import UnitOfWork


class ClashKind(enum.StrEnum):
    #: The other event is a council meeting that concerns the person.
    COUNCIL_MEETING = "council_meeting"
    #: The other event invites the person (or concerns them some other way).
    OTHER_EVENT = "other_event"


class PersonKind(enum.StrEnum):
    COUNCILLOR = "councillor"
    OFFICER = "officer"


@attrs.frozen
class Clash:
    """One person expected at two overlapping events.

    :ivar event: the event being checked (for :func:`find_clashes`, the one that is not a
        council meeting when only one of the two is, else the earlier one).
    :ivar other: the event it clashes with.
    :ivar person: the person's name; ``person_kind`` and ``person_id`` say who exactly.
    :ivar kind: whether ``other`` is a council meeting or another event.
    """

    event: CalendarEvent | NewEvent
    other: CalendarEvent
    person_kind: PersonKind
    person_id: int
    person: str
    kind: ClashKind

    @property
    def overlap(self) -> tuple[dt.datetime, dt.datetime]:
        return max(self.event.start, self.other.start), min(self.event.end, self.other.end)

    @property
    def person_label(self) -> str:
        return f"Cllr {self.person}" if self.person_kind == PersonKind.COUNCILLOR else self.person

    def describe(self) -> str:
        """``"Cllr Ann Lee: Dalton walkabout clashes with council meeting Cabinet"``"""
        what = "council meeting" if self.kind == ClashKind.COUNCIL_MEETING else "event"
        return f"{self.person_label}: {self.event.title} clashes with {what} {self.other.title}"


@attrs.frozen
class PeopleNames:
    """Names for the ids that can appear in a clash."""

    councillors: Mapping[int, str]
    officers: Mapping[int, str]

    @classmethod
    def load(cls, uow: UnitOfWork, officer_ids: Iterable[int] = ()) -> PeopleNames:
        """Every councillor's name (there are at most a few hundred), and these officers'."""
        councillors = dict(uow.session.execute(select(CouncillorRow.id, CouncillorRow.name)).all())
        wanted = sorted(set(officer_ids))
        officers: dict[int, str] = {}
        for chunk in (wanted[i : i + 500] for i in range(0, len(wanted), 500)):
            rows = uow.session.execute(
                select(OfficerRow.id, OfficerRow.given_name, OfficerRow.family_name).where(
                    OfficerRow.id.in_(chunk)
                )
            )
            officers.update((oid, f"{given} {family}") for oid, given, family in rows)
        return cls(councillors, officers)


def _is_cancelled(event: EventLike | CalendarEvent | NewEvent) -> bool:
    return getattr(event, "status", None) == EventStatus.CANCELLED


def _same_event(a: CalendarEvent | NewEvent, b: CalendarEvent) -> bool:
    if isinstance(a, CalendarEvent):
        return a.id == b.id
    return bool(a.source and a.external_id) and (a.source, a.external_id) == (
        b.source,
        b.external_id,
    )


class ClashIndex:
    """A span's live (not cancelled) events, with who each concerns, kept in memory."""

    def __init__(
        self, events: Iterable[CalendarEvent], membership: Membership, names: PeopleNames
    ) -> None:
        self.events = sorted((e for e in events if not e.cancelled), key=lambda e: (e.start, e.id))
        self.membership = membership
        self.names = names
        self._starts = [e.start for e in self.events]
        self._longest = max((e.end - e.start for e in self.events), default=dt.timedelta(0))
        self._people = {e.id: self._people_of(e) for e in self.events}

    @classmethod
    def load(
        cls, uow: UnitOfWork, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> ClashIndex:
        """``ClashIndex.load(uow, start=None, end=None)``: the events overlapping [start, end)."""
        events = uow.events.query(start=start, end=end, include_cancelled=False)
        officer_ids = {o for e in events for o in e.officer_ids}
        return cls(events, load_membership(uow), PeopleNames.load(uow, officer_ids))

    def _people_of(self, event: EventLike) -> tuple[frozenset[int], frozenset[int]]:
        return self.membership.councillors_concerned(event), frozenset(event.officer_ids)

    def overlapping(self, start: dt.datetime, end: dt.datetime) -> list[CalendarEvent]:
        """Live events overlapping [start, end), by bisecting on start times."""
        lo = bisect.bisect_left(self._starts, start - self._longest)
        hi = bisect.bisect_left(self._starts, end)
        return [e for e in self.events[lo:hi] if e.end > start]

    def clashes_with(self, event: CalendarEvent | NewEvent) -> list[Clash]:
        """Clashes between ``event`` and the indexed events (none when it is cancelled)."""
        if _is_cancelled(event):
            return []
        people = self._people_of(event)
        clashes: list[Clash] = []
        for other in self.overlapping(event.start, event.end):
            if not _same_event(event, other):
                clashes.extend(self._pair(event, people, other, self._people[other.id]))
        return _ordered(clashes)

    def all_clashes(self) -> list[Clash]:
        """Every clash among the indexed events: a sweep in start order."""
        running: list[tuple[dt.datetime, int, CalendarEvent]] = []
        clashes: list[Clash] = []
        for event in self.events:
            while running and running[0][0] <= event.start:
                heapq.heappop(running)
            for _, _, earlier in running:
                first, second = earlier, event
                meeting = EventKind.COUNCIL_MEETING
                if first.kind == meeting and second.kind != meeting:
                    first, second = second, first
                clashes.extend(
                    self._pair(first, self._people[first.id], second, self._people[second.id])
                )
            heapq.heappush(running, (event.end, event.id, event))
        return _ordered(clashes)

    def _pair(
        self,
        event: CalendarEvent | NewEvent,
        people: tuple[frozenset[int], frozenset[int]],
        other: CalendarEvent,
        other_people: tuple[frozenset[int], frozenset[int]],
    ) -> list[Clash]:
        kind = (
            ClashKind.COUNCIL_MEETING
            if other.kind == EventKind.COUNCIL_MEETING
            else ClashKind.OTHER_EVENT
        )
        found = [
            Clash(
                event,
                other,
                PersonKind.COUNCILLOR,
                cid,
                self.names.councillors.get(cid, f"councillor #{cid}"),
                kind,
            )
            for cid in people[0] & other_people[0]
        ]
        found += [
            Clash(
                event,
                other,
                PersonKind.OFFICER,
                oid,
                self.names.officers.get(oid, f"officer #{oid}"),
                kind,
            )
            for oid in people[1] & other_people[1]
        ]
        return found


def _ordered(clashes: list[Clash]) -> list[Clash]:
    return sorted(
        clashes,
        key=lambda c: (
            c.event.start,
            c.other.start,
            c.event.title,
            c.other.title,
            c.person_kind.value,
            c.person,
            c.person_id,
        ),
    )


def group_clashes(clashes: Iterable[Clash]) -> list[list[Clash]]:
    """Clashes grouped by pair of events, in order: one group per "A clashes with B"."""
    groups: dict[tuple[object, ...], list[Clash]] = {}
    for clash in clashes:
        key = (getattr(clash.event, "id", None), clash.event.title, clash.event.start)
        groups.setdefault((*key, clash.other.id), []).append(clash)
    return list(groups.values())


def describe_group(group: list[Clash], tz: dt.tzinfo) -> str:
    """``"Fri 30 Apr 2027 14:00–15:30 BST: Dalton walkabout clashes with council meeting
    Standards Committee for Cllr Ann Lee, Olu Ade"`` (times in ``tz``)."""
    first = group[0]
    when = plain_span(*first.overlap, tz)
    what = "council meeting" if first.kind == ClashKind.COUNCIL_MEETING else "event"
    people = ", ".join(c.person_label for c in group)
    return f"{when}: {first.event.title} clashes with {what} {first.other.title} for {people}"


def find_clashes(
    uow: UnitOfWork, start: dt.datetime | None = None, end: dt.datetime | None = None
) -> list[Clash]:
    """``find_clashes(uow, start=None, end=None) -> list[Clash]``

    Every clash among the live events overlapping [start, end) (unbounded when ``None``),
    ordered by time then name. Each pair of events is reported once per person.
    """
    return ClashIndex.load(uow, start, end).all_clashes()


def clashes_for(uow: UnitOfWork, event: CalendarEvent | NewEvent) -> list[Clash]:
    """``clashes_for(uow, event) -> list[Clash]``

    The clashes ``event`` (stored, or a ``NewEvent`` about to be created) has with other live
    events. A cancelled event has none; a stored event never clashes with itself, nor a
    ``NewEvent`` with the stored event of the same source and external id.
    """
    if _is_cancelled(event):
        return []
    # Anyone in a clash is concerned by an indexed event too, so the index knows their name.
    return ClashIndex.load(uow, event.start, event.end).clashes_with(event)


#: An event's fields whose change can start or end a clash: who it concerns (invitees, and
#: for council meetings the kind and committee), when it is, and whether it is cancelled.
CLASH_FIELDS = ("councillor_ids", "officer_ids", "kind", "committee", "start", "end", "status")


def may_clash_anew(before: CalendarEvent | None, after: CalendarEvent) -> bool:
    """Whether the clash checks need to run again after an event changed from ``before`` to
    ``after`` (``before`` is ``None`` for a new event, which always needs them)."""
    return before is None or any(getattr(before, f) != getattr(after, f) for f in CLASH_FIELDS)
