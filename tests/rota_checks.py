"""Every rota rule, checked again straight from the database rows, not from the planner's
own account of what it did: :func:`check_rota`."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kdc_core.app import Kdc
from kdc_core.db import CouncillorRow, EventRow, WardRow
from kdc_core.db.events import OfficerUnavailabilityRow
from kdc_core.db.people import CouncillorRoleRow, OfficerRow, OfficerWardRow, ServiceRow

LONDON = ZoneInfo("Europe/London")
#: England's bank holidays on weekdays in 2027, written out by hand.
BANK_HOLIDAYS_2027 = {
    dt.date(2027, 1, 1),
    dt.date(2027, 3, 26),
    dt.date(2027, 3, 29),
    dt.date(2027, 5, 3),
    dt.date(2027, 5, 31),
    dt.date(2027, 8, 30),
    dt.date(2027, 12, 27),
    dt.date(2027, 12, 28),
}


def _overlap(a: EventRow | OfficerUnavailabilityRow, b: EventRow) -> bool:
    return a.start < b.end and b.start < a.end


def _concerned(session: Session, meeting: EventRow) -> set[int]:
    """Councillors a meeting concerns: full Council → all; else its committee's members and
    (for Cabinet) portfolio holders; plus anyone invited."""
    active = set(
        session.scalars(select(CouncillorRow.id).where(CouncillorRow.archived_at.is_(None)))
    )
    invited = {c.id for c in meeting.councillors}
    committee = " ".join((meeting.committee or "").split()).casefold()
    if committee in {"council", "full council"}:
        return active | invited
    members = set()
    for role in session.scalars(select(CouncillorRoleRow)):
        named = " ".join((role.committee or "").split()).casefold()
        if named == committee or (
            committee == "cabinet" and not named and role.kind == "cabinet_portfolio"
        ):
            members.add(role.councillor_id)
    return (members & active) | invited


_LINKS = (
    selectinload(EventRow.wards),
    selectinload(EventRow.councillors),
    selectinload(EventRow.officers),
)


def check_rota(kdc: Kdc, expected: int) -> list[EventRow]:
    """Assert every rota rule on the rows; return the live walkabouts."""
    with Session(kdc.engine) as session:
        walks = session.scalars(
            select(EventRow)
            .options(*_LINKS, selectinload(EventRow.wards).selectinload(WardRow.councillors))
            .where(EventRow.source == "rota", EventRow.status != "cancelled")
        ).all()
        assert len(walks) == expected
        keys = Counter((w.wards[0].id, w.external_id.split("-")[1]) for w in walks)
        assert set(keys.values()) == {1}, "one walkabout per ward per quarter"
        services = session.scalars(select(ServiceRow).where(ServiceRow.ward_facing)).all()
        patched = set(session.scalars(select(OfficerWardRow.officer_id)))
        candidates: dict[int, set[int]] = {s.id: set() for s in services}
        for o in session.scalars(select(OfficerRow).where(OfficerRow.archived_at.is_(None))):
            if o.service_id in candidates and o.id in patched:
                candidates[o.service_id].add(o.id)
        meetings = session.scalars(
            select(EventRow).where(
                EventRow.kind == "council_meeting", EventRow.status != "cancelled"
            )
        ).all()
        concerned = {m.id: _concerned(session, m) for m in meetings}
        for w in walks:
            local = w.start.astimezone(LONDON)
            assert local.weekday() < 5, f"{w.title} on a weekend: {local}"
            assert local.date() not in BANK_HOLIDAYS_2027, f"{w.title} on a bank holiday"
            assert w.external_id.split("-")[1] == f"Q{(local.month - 1) // 3 + 1}"
            assert (local.hour, local.minute) == (10, 0) and w.end - w.start == dt.timedelta(
                hours=2
            )
            assert w.kind == "walkabout" and w.status == "confirmed" and len(w.wards) == 1
            ward = w.wards[0]
            councillors = {c.id for c in w.councillors}
            assert councillors == {c.id for c in ward.councillors if c.archived_at is None}
            assert len(councillors) == 3
            assert sorted(o.service_id for o in w.officers) == sorted(s.id for s in services)
            assert all(o.id in candidates[o.service_id] for o in w.officers)
            for m in meetings:
                if _overlap(m, w):
                    assert not concerned[m.id] & councillors, f"{w.title} clashes with {m.title}"
        booked: dict[int, list[EventRow]] = defaultdict(list)
        everything = select(EventRow).options(*_LINKS).where(EventRow.status != "cancelled")
        for e in session.scalars(everything):
            for o in e.officers:
                booked[o.id].append(e)
        for officer_id, events in booked.items():
            events.sort(key=lambda e: e.start)
            for a, b in itertools.pairwise(events):
                assert a.end <= b.start, f"officer {officer_id} is double-booked: {a} and {b}"
        for span in session.scalars(select(OfficerUnavailabilityRow)):
            clash = [e for e in booked[span.officer_id] if _overlap(span, e)]
            assert not clash, f"officer {span.officer_id} sent while unavailable: {clash}"
        for s in services:
            loads = Counter({o: 0 for o in candidates[s.id]})
            loads.update(o.id for w in walks for o in w.officers if o.service_id == s.id)
            assert max(loads.values()) - min(loads.values()) <= 1, f"{s.name}: {loads}"
        return list(walks)
