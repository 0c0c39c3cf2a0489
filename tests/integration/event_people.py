"""A small cast for calendar tests: two wards, councillors on committees, two officers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from kdc_core.calendar.values import EventKind, NewEvent
from kdc_core.db import CouncillorRoleRow, CouncillorRow, OfficerRow, ServiceRow, WardRow

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Cast:
    dalton: int
    almondbury: int
    ann: int  # Dalton; Standards Committee
    bob: int  # Dalton; no committee
    cath: int  # Almondbury; Strategic Planning Committee and a cabinet portfolio
    dev: int  # Almondbury; Standards Committee, but archived
    olu: int  # officer, Highways
    pat: int  # officer, Highways
    highways: int

    @property
    def active_councillors(self) -> set[int]:
        return {self.ann, self.bob, self.cath}


def seed_cast(uow) -> Cast:
    dalton = WardRow(name="Dalton", slug="dalton")
    almondbury = WardRow(name="Almondbury", slug="almondbury")
    highways = ServiceRow(name="Highways", slug="highways", ward_facing=True)
    ann = CouncillorRow(name="Ann Lee", ward=dalton)
    ann.roles.append(
        CouncillorRoleRow(kind="committee", title="Member", committee="Standards  committee")
    )
    bob = CouncillorRow(name="Bob Hall", ward=dalton)
    cath = CouncillorRow(name="Cath Moss", ward=almondbury)
    cath.roles.append(
        CouncillorRoleRow(
            kind="committee", title="Member", committee="Strategic Planning Committee"
        )
    )
    cath.roles.append(CouncillorRoleRow(kind="cabinet_portfolio", title="Cabinet Member"))
    dev = CouncillorRow(
        name="Dev Shah",
        ward=almondbury,
        archived_at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC),
    )
    dev.roles.append(
        CouncillorRoleRow(kind="committee", title="Member", committee="Standards Committee")
    )
    olu = OfficerRow(person_id="p-olu", given_name="Olu", family_name="Ade", service=highways)
    pat = OfficerRow(person_id="p-pat", given_name="Pat", family_name="Kerr", service=highways)
    uow.session.add_all([ann, bob, cath, dev, olu, pat])
    uow.session.flush()
    return Cast(
        dalton=dalton.id,
        almondbury=almondbury.id,
        ann=ann.id,
        bob=bob.id,
        cath=cath.id,
        dev=dev.id,
        olu=olu.id,
        pat=pat.id,
        highways=highways.id,
    )


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def meeting(committee: str, start: dt.datetime, hours: float = 2, **kw) -> NewEvent:
    return NewEvent(
        kind=EventKind.COUNCIL_MEETING,
        title=committee,
        committee=committee,
        start=start,
        end=start + dt.timedelta(hours=hours),
        public=True,
        **kw,
    )


def walkabout(ward_id: int, start: dt.datetime, hours: float = 2, **kw) -> NewEvent:
    return NewEvent(
        kind=EventKind.WALKABOUT,
        title=kw.pop("title", "Ward walkabout"),
        start=start,
        end=start + dt.timedelta(hours=hours),
        ward_ids=(ward_id,),
        **kw,
    )
