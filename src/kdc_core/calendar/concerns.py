"""Who an event concerns: its invitees, and for council meetings the committee's members.

The rules, in one place so that feeds, clash checks and the rota agree:

- An event concerns every councillor and officer it invites.
- A ``council_meeting`` also concerns the members of its committee: the active councillors
  holding a role that names that committee (``CouncillorRoleRow.committee``; the role's kind
  does not matter, so a chair recorded under another kind still counts), and those with a
  seat on it in the committee table (``CommitteeMembershipRow``, from ``kdc import
  moderngov-committees``) while the committee is current (not deleted, expired or archived),
  except substitutes, who are not expected at every meeting. Holders of a
  ``cabinet_portfolio`` role sit on ``Cabinet`` even when their role names no committee.
- A meeting of full Council (committee ``Council`` or ``Full Council``) concerns every active
  councillor.
- Committee names match ignoring case and runs of whitespace.
- Walkabouts, open days and other events are invitation-based: a ward's councillors are
  concerned by a walkabout because it invites them, not because it names their ward. The rota
  and :func:`~kdc_core.calendar.open_days.declare_open_day` invite them explicitly.
- Archived councillors are concerned only by what invites them.

Membership is read once per call (three small queries) into a :class:`Membership`; the event
queries load ~600 events a year with their links in a handful of statements, never one query
per event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Protocol

import attrs
from sqlalchemy import func, select

from kdc_core.calendar.values import CalendarEvent, EventKind
from kdc_core.people.values import RoleKind
from kdc_core.unit_of_work import UnitOfWork

#: Committee names (normalised) that mean a meeting of the whole council.
FULL_COUNCIL = frozenset({"council", "full council"})
CABINET = "cabinet"


class EventLike(Protocol):
    """What the concern rules read: a stored :class:`CalendarEvent` or a ``NewEvent``."""

    @property
    def kind(self) -> EventKind: ...
    @property
    def committee(self) -> str | None: ...
    @property
    def councillor_ids(self) -> tuple[int, ...]: ...
    @property
    def officer_ids(self) -> tuple[int, ...]: ...


def committee_key(name: str | None) -> str:
    """``"  Standards   committee "`` → ``"standards committee"``: how committee names match."""
    return " ".join((name or "").split()).casefold()


@attrs.frozen
class Membership:
    """Committee membership at one moment, read once and then asked many times.

    :ivar committees: normalised committee name → ids of active councillors on it.
    :ivar active: ids of every active (not archived) councillor.
    """

    committees: Mapping[str, frozenset[int]]
    active: frozenset[int]

    def members(self, committee: str | None) -> frozenset[int]:
        """Active councillors on ``committee``; everyone for full Council; nobody for ``None``."""
        key = committee_key(committee)
        if not key:
            return frozenset()
        if key in FULL_COUNCIL:
            return self.active
        return self.committees.get(key, frozenset())

    def committees_of(self, councillor_id: int) -> frozenset[str]:
        """Normalised names of the committees whose meetings concern this councillor."""
        if councillor_id not in self.active:
            return frozenset()
        mine = {key for key, ids in self.committees.items() if councillor_id in ids}
        return frozenset(mine | FULL_COUNCIL)

    def councillors_concerned(self, event: EventLike) -> frozenset[int]:
        """Invited councillors ∪ (for a council meeting) the committee's members."""
        invited = frozenset(event.councillor_ids)
        if event.kind != EventKind.COUNCIL_MEETING:
            return invited
        return invited | self.members(event.committee)

    def concerns_councillor(self, event: EventLike, councillor_id: int) -> bool:
        if councillor_id in event.councillor_ids:
            return True
        return event.kind == EventKind.COUNCIL_MEETING and councillor_id in self.members(
            event.committee
        )


def load_membership(uow: UnitOfWork) -> Membership:
    """``load_membership(uow) -> Membership``: committee membership in three queries."""
    # Imported here: the event rules that use this module are registered at every start-up.
    from kdc_core.db.committees import CommitteeMembershipRow, CommitteeRow
    from kdc_core.db.people import CouncillorRoleRow, CouncillorRow

    active = frozenset(
        uow.session.scalars(select(CouncillorRow.id).where(CouncillorRow.archived_at.is_(None)))
    )
    rows = uow.session.execute(
        select(CouncillorRoleRow.councillor_id, CouncillorRoleRow.kind, CouncillorRoleRow.committee)
        .join(CouncillorRow, CouncillorRow.id == CouncillorRoleRow.councillor_id)
        .where(CouncillorRow.archived_at.is_(None))
    )
    committees: dict[str, set[int]] = {}
    for councillor_id, kind, committee in rows:
        key = committee_key(committee)
        if not key and kind == RoleKind.CABINET_PORTFOLIO.value:
            key = CABINET
        if key:
            committees.setdefault(key, set()).add(councillor_id)
    seats = uow.session.execute(
        select(CommitteeMembershipRow.councillor_id, CommitteeRow.title)
        .join(CommitteeRow, CommitteeRow.id == CommitteeMembershipRow.committee_id)
        .join(CouncillorRow, CouncillorRow.id == CommitteeMembershipRow.councillor_id)
        .where(
            CouncillorRow.archived_at.is_(None),
            CommitteeRow.archived_at.is_(None),
            CommitteeRow.deleted.is_(False),
            CommitteeRow.expired.is_(False),
            func.lower(CommitteeMembershipRow.role).not_like("%substitute%"),
        )
    )
    for councillor_id, title in seats:
        committees.setdefault(committee_key(title), set()).add(councillor_id)
    return Membership({k: frozenset(v) for k, v in committees.items()}, active)


def councillors_concerned(
    uow: UnitOfWork, event: EventLike, membership: Membership | None = None
) -> frozenset[int]:
    """``councillors_concerned(uow, event, membership=None) -> frozenset[int]``

    Ids of the councillors ``event`` (stored or new) concerns. Pass a :class:`Membership`
    from :func:`load_membership` when asking about many events.
    """
    return (membership or load_membership(uow)).councillors_concerned(event)


def councillors_concerned_by_events(
    uow: UnitOfWork, events: Iterable[CalendarEvent], membership: Membership | None = None
) -> dict[int, frozenset[int]]:
    """``councillors_concerned_by_events(uow, events) -> {event id: councillor ids}``"""
    membership = membership or load_membership(uow)
    return {e.id: membership.councillors_concerned(e) for e in events}


def events_for_councillor(
    uow: UnitOfWork,
    councillor_id: int,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    *,
    include_cancelled: bool = True,
    membership: Membership | None = None,
) -> list[CalendarEvent]:
    """``events_for_councillor(uow, councillor_id, start=None, end=None, *,
    include_cancelled=True, membership=None) -> list[CalendarEvent]``

    Every event overlapping [start, end) that concerns the councillor: what invites them and
    the council meetings of their committees (and of full Council), ordered by start.
    Cancelled events are included by default, since feeds must show them to remove them.
    Two event queries, whatever the number of events.
    """
    membership = membership or load_membership(uow)
    mine = membership.committees_of(councillor_id)
    found = {
        e.id: e
        for e in uow.events.query(
            start=start, end=end, councillor_id=councillor_id, include_cancelled=include_cancelled
        )
    }
    if mine:
        meetings = uow.events.query(
            start=start,
            end=end,
            kinds=[EventKind.COUNCIL_MEETING],
            include_cancelled=include_cancelled,
        )
        found.update((e.id, e) for e in meetings if committee_key(e.committee) in mine)
    return sorted(found.values(), key=lambda e: (e.start, e.id))


def events_for_officer(
    uow: UnitOfWork,
    officer_id: int,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    *,
    include_cancelled: bool = True,
) -> list[CalendarEvent]:
    """``events_for_officer(uow, officer_id, start=None, end=None, *, include_cancelled=True)
    -> list[CalendarEvent]``

    Every event overlapping [start, end) that invites the officer, ordered by start. (Officers
    are not committee members, so no meeting concerns them unless it invites them.)
    """
    return uow.events.query(
        start=start, end=end, officer_id=officer_id, include_cancelled=include_cancelled
    )
