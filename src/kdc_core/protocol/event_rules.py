"""The built-in rules over calendar events: 7.4, 8.2, 6.1/6.2 and 7.5.

How an event is read:

- a *public meeting about a ward issue* (7.4) is a public, uncancelled event of kind
  ``ward_solution_meeting``, ``open_day`` or ``other`` with at least one ward and no political
  meeting mark;
- a *ward issue on a body's agenda* (8.2) is a ``council_meeting`` event with a ``committee``
  and at least one ward; who sits on the committee is read as
  :mod:`kdc_core.calendar.concerns` reads it (roles naming it, and its seats in the committee
  table), so every councillor sits on full Council;
- a *political meeting* is an event marked with :func:`kdc_core.protocol.meetings.mark_political`:
  scope ``group`` is a council party group's meeting (6.1/6.2, also assumed for any
  ``party_group_meeting`` event), scope ``ward`` or ``constituency`` a party political
  meeting (7.5).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import selectinload

# Row classes through the package, which imports their tables on first use: these rules are
# registered at every start-up, and most commands never check one.
from kdc_core import db
from kdc_core.protocol.rules import Entity, Finding, Rule, Severity, Target
from kdc_core.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from kdc_core.db.events import EventRow
    from kdc_core.db.people import CouncillorRow
    from kdc_core.db.protocol import EventPoliticalMeetingRow

PUBLIC_MEETING_KINDS = ("ward_solution_meeting", "open_day", "other")
PARTY_SCOPES = ("ward", "constituency")


def _events(uow: UnitOfWork, target: Target, *where: object) -> list[EventRow]:
    query = (
        select(db.EventRow)
        .options(
            selectinload(db.EventRow.wards),
            selectinload(db.EventRow.councillors),
            selectinload(db.EventRow.officers),
        )
        .where(db.EventRow.status != "cancelled", *where)  # type: ignore[arg-type]
        .order_by(db.EventRow.start, db.EventRow.id)
    )
    if target.ids is not None:
        if not target.ids:
            return []
        query = query.where(db.EventRow.id.in_(target.ids))
    return list(uow.session.scalars(query))


def _marks(uow: UnitOfWork, event_ids: Iterable[int]) -> dict[int, EventPoliticalMeetingRow]:
    ids = list(event_ids)
    if not ids:
        return {}
    rows = uow.session.scalars(
        select(db.EventPoliticalMeetingRow)
        .options(selectinload(db.EventPoliticalMeetingRow.group))
        .where(db.EventPoliticalMeetingRow.event_id.in_(ids))
    )
    return {r.event_id: r for r in rows}


def _ward_councillors(uow: UnitOfWork, ward_ids: Iterable[int]) -> dict[int, list[CouncillorRow]]:
    out: dict[int, list[CouncillorRow]] = defaultdict(list)
    ids = set(ward_ids)
    if ids:
        rows = uow.session.scalars(
            select(db.CouncillorRow)
            .where(db.CouncillorRow.ward_id.in_(ids), db.CouncillorRow.archived_at.is_(None))
            .order_by(db.CouncillorRow.name)
        )
        for row in rows:
            out[row.ward_id or 0].append(row)
    return out


def _cllr(row: CouncillorRow) -> Entity:
    return Entity("councillor", row.id, row.name)


def _names(rows: list[CouncillorRow]) -> str:
    return ", ".join(r.name for r in rows)


def check_public_meeting_invites(rule: Rule, uow: UnitOfWork, target: Target) -> Iterator[Finding]:
    events = _events(
        uow,
        target,
        db.EventRow.public.is_(True),
        db.EventRow.kind.in_(PUBLIC_MEETING_KINDS),
        db.EventRow.wards.any(),  # no ward, nobody to invite: skip loading the rest
    )
    marks = _marks(uow, (e.id for e in events))
    by_ward = _ward_councillors(uow, (w.id for e in events for w in e.wards))
    for event in events:
        if event.id in marks or not event.wards:
            continue
        invited = {c.id for c in event.councillors}
        missing = [c for w in event.wards for c in by_ward.get(w.id, []) if c.id not in invited]
        if not missing:
            continue
        wards = ", ".join(w.name for w in event.wards)
        yield rule.finding(
            event.id,
            str(event),
            f"Public meeting about {wards} does not invite {_names(missing)}.",
            f"Invite {_names(missing)}: every councillor of the wards affected is invited as a "
            "matter of course.",
            [_cllr(c) for c in missing] + [Entity("ward", w.id, w.name) for w in event.wards],
        )


def check_committee_ward_invites(rule: Rule, uow: UnitOfWork, target: Target) -> Iterator[Finding]:
    # Imported when an event rule first runs: the rules are registered at every start-up.
    from kdc_core.calendar.concerns import load_membership

    events = _events(
        uow,
        target,
        db.EventRow.kind == "council_meeting",
        db.EventRow.committee.is_not(None),
        db.EventRow.wards.any(),  # no ward, no issue for one: skip loading the rest
    )
    by_ward = _ward_councillors(uow, (w.id for e in events for w in e.wards))
    membership = load_membership(uow) if events else None
    for event in events:
        sits = membership.members(event.committee) if membership else frozenset()
        invited = {c.id for c in event.councillors}
        missing = [
            c
            for w in event.wards
            for c in by_ward.get(w.id, [])
            if c.id not in sits and c.id not in invited
        ]
        if missing:
            yield rule.finding(
                event.id,
                str(event),
                f"{event.committee} discusses an issue for {', '.join(w.name for w in event.wards)}"
                f" but {_names(missing)} do(es) not sit on it and is not invited.",
                f"Invite {_names(missing)} to attend and speak on the item.",
                [_cllr(c) for c in missing],
            )


def _political(
    uow: UnitOfWork, target: Target
) -> list[tuple[EventRow, EventPoliticalMeetingRow | None]]:
    marked_ids = select(db.EventPoliticalMeetingRow.event_id)
    events = _events(
        uow,
        target,
        (db.EventRow.kind == "party_group_meeting") | db.EventRow.id.in_(marked_ids),
    )
    marks = _marks(uow, (e.id for e in events))
    return [(e, marks.get(e.id)) for e in events]


def check_group_meeting_record(rule: Rule, uow: UnitOfWork, target: Target) -> Iterator[Finding]:
    for event, mark in _political(uow, target):
        if (mark is not None and mark.scope != "group") or not event.officers:
            continue
        officers = [
            Entity("officer", o.id, f"{o.given_name} {o.family_name}") for o in event.officers
        ]
        names = ", ".join(o.label for o in officers)
        if mark is None or mark.group is None:
            yield rule.finding(
                event.id,
                str(event),
                f"{names} invited to a party group meeting whose group is not recorded.",
                "Record which political group holds the meeting (kdc protocol mark-meeting), so "
                "the same offer can be made to the other groups.",
                officers,
                severity=Severity.WARNING,
            )
            continue
        matter = f" on {mark.matter}" if mark.matter else ""
        yield rule.finding(
            event.id,
            str(event),
            f"Recorded: {names} attend(s) the {mark.group.name} group meeting{matter}.",
            "Make the same arrangement for any other group that asks (6.1); the officer may not "
            "decline another group on the same matter and gives each the same information (6.2).",
            [*officers, Entity("political_group", mark.group.id, mark.group.name)],
        )


def check_party_political_meeting(rule: Rule, uow: UnitOfWork, target: Target) -> Iterator[Finding]:
    for event, mark in _political(uow, target):
        if mark is None or mark.scope not in PARTY_SCOPES or not event.officers:
            continue
        officers = [
            Entity("officer", o.id, f"{o.given_name} {o.family_name}") for o in event.officers
        ]
        names = ", ".join(o.label for o in officers)
        yield rule.finding(
            event.id,
            str(event),
            f"{names} invited, as officer(s), to a {mark.scope} party political meeting.",
            f"Withdraw the invitation to {names}: officers do not attend ward or constituency "
            "party political meetings in their officer role.",
            officers,
        )


def _rule(rule_id: str, clause: str, severity: Severity, title: str, fn: object) -> Rule:
    holder: list[Rule] = []

    def check(uow: UnitOfWork, target: Target) -> Iterable[Finding]:
        return fn(holder[0], uow, target)  # type: ignore[operator]

    holder.append(Rule(rule_id, clause, severity, "event", title, check))
    return holder[0]


EVENT_RULES = (
    _rule(
        "7.4-public-meeting-invites-ward-councillors",
        "7.4",
        Severity.WARNING,
        "A public meeting about a ward issue invites every councillor of the wards affected",
        check_public_meeting_invites,
    ),
    _rule(
        "8.2-ward-issue-councillor-invited",
        "8.2",
        Severity.WARNING,
        "A ward issue before a body the ward councillor does not sit on: the councillor is invited",
        check_committee_ward_invites,
    ),
    _rule(
        "6.1-group-meeting-officer-recorded",
        "6.1",
        Severity.INFO,
        "An officer at one party group's meeting is recorded; other groups get the same offer",
        check_group_meeting_record,
    ),
    _rule(
        "7.5-no-officer-at-party-political-meeting",
        "7.5",
        Severity.ERROR,
        "Officers do not attend ward or constituency party political meetings",
        check_party_political_meeting,
    ),
)
