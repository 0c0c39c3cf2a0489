"""Load the demo council into a database: :func:`seed_demo`.

This module is the demo's writer: it turns the plain demo records into rows inside the unit
of work's session and hands back a :class:`~kdc_core.changes.ChangeSet`; rows never leave it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from kdc_core.changes import Action, Change, ChangeSet
from kdc_core.db import tracking
from kdc_core.db.people import (
    CouncillorExternalIdRow,
    CouncillorRoleRow,
    CouncillorRow,
    DirectorateRow,
    OfficerRow,
    OfficerWardRow,
    PoliticalGroupRow,
    ServiceRow,
    TermOfOfficeRow,
    WardContactRow,
    WardRow,
)
from kdc_core.demo.build import build_demo
from kdc_core.demo.records import DemoCouncil, DemoOfficer
from kdc_core.errors import KdcError
from kdc_core.people.values import slugify

if TYPE_CHECKING:
    from kdc_core.unit_of_work import UnitOfWork

#: The external-id scheme under which demo councillors carry their ModernGov ids.
DEMO_SCHEME = "moderngov"

_PEOPLE_TABLES: tuple[tuple[str, type], ...] = (
    ("ward", WardRow),
    ("political group", PoliticalGroupRow),
    ("councillor", CouncillorRow),
    ("directorate", DirectorateRow),
    ("service", ServiceRow),
    ("officer", OfficerRow),
    ("ward contact", WardContactRow),
)


class DemoRefused(KdcError):
    """The database holds data that is not the demo council, or only part of it."""


def seed_demo(uow: UnitOfWork) -> ChangeSet:
    """Load the demo council into an empty database, once.

    - Already loaded (all 69 demo councillors are present under their ``moderngov`` ids):
      change nothing and return an empty change set.
    - The database holds other people data, or only part of the demo: raise
      :class:`DemoRefused` saying what is there; nothing is written.

    Wards, groups, directorates, services and councillors (with their terms, roles and
    external ids) go through the ORM, so the flush listeners record them as usual. Officers,
    their ward links and the ward contacts are bulk Core inserts (lists of dicts); the flush
    listeners cannot see those, so this function records one ``added`` change per officer and
    per ward contact itself (:func:`kdc_core.db.tracking.record`). Plugins hearing
    ``kdc_changes_committed`` therefore get the same change set this function returns.
    """
    council = build_demo()
    session = uow.session
    if _demo_present(session, council):
        return ChangeSet()
    before = {(c.entity, c.key) for c in uow.collect()}

    wards = {
        w.name: WardRow(name=w.name, slug=slugify(w.name), ons_code=w.ons_code)
        for w in council.wards
    }
    groups = {
        g.name: PoliticalGroupRow(name=g.name, short_name=g.short_name) for g in council.groups
    }
    directorates = {
        name: DirectorateRow(name=name, slug=slugify(name)) for name in council.directorates
    }
    services = {
        s.name: ServiceRow(
            name=s.name,
            slug=slugify(s.name),
            directorate=directorates[s.directorate],
            ward_facing=s.ward_facing,
        )
        for s in council.services
    }
    session.add_all([*wards.values(), *groups.values(), *directorates.values()])
    session.add_all(services.values())
    session.add_all(_councillor_rows(council, wards, groups))
    session.flush()

    officer_ids = _insert_officers(
        session, council.officers, {k: v.id for k, v in services.items()}
    )
    session.execute(
        insert(OfficerWardRow),
        [
            {"officer_id": officer_ids[o.person_id], "ward_id": wards[w].id, "source": s.value}
            for o in council.officers
            for w, s in o.wards
        ],
    )
    contact_rows = session.execute(
        insert(WardContactRow).returning(WardContactRow.id, sort_by_parameter_order=True),
        [
            {
                "ward_id": wards[c.ward].id,
                "service_id": services[c.service].id,
                "officer_id": officer_ids[c.officer],
            }
            for c in council.contacts
        ],
    ).all()
    for ward in council.wards:
        if ward.link_officer is not None:
            wards[ward.name].link_officer_id = officer_ids[ward.link_officer]
    session.flush()

    by_id = {o.person_id: o for o in council.officers}
    tracking.record(session, _changes(uow.source, officer_ids, by_id, council, contact_rows))
    return ChangeSet(tuple(c for c in uow.collect() if (c.entity, c.key) not in before))


def _demo_present(session: Session, council: DemoCouncil) -> bool:
    """True when the demo is loaded; raise :class:`DemoRefused` when something else is."""
    demo_ids = [c.moderngov_id for c in council.councillors]
    found = session.scalar(
        select(func.count())
        .select_from(CouncillorExternalIdRow)
        .where(CouncillorExternalIdRow.scheme == DEMO_SCHEME)
        .where(CouncillorExternalIdRow.value.in_(demo_ids))
    )
    if found == len(demo_ids):
        return True
    if found:
        raise DemoRefused(
            f"the demo council is only partly present ({found} of {len(demo_ids)} demo "
            "councillors): load it into an empty database instead"
        )
    present = [
        f"{n} {label}{'' if n == 1 else 's'}"
        for label, row in _PEOPLE_TABLES
        if (n := session.scalar(select(func.count()).select_from(row)))
    ]
    if present:
        raise DemoRefused(
            f"the database already holds data that is not the demo council ({', '.join(present)});"
            " the demo council only loads into an empty database"
        )
    return False


def _councillor_rows(
    council: DemoCouncil, wards: dict[str, WardRow], groups: dict[str, PoliticalGroupRow]
) -> Iterable[CouncillorRow]:
    for c in council.councillors:
        yield CouncillorRow(
            name=c.name,
            ward=wards[c.ward],
            group=groups[c.group],
            email=c.email,
            phone=c.phone,
            mobile=c.mobile,
            photo_url=c.photo_url,
            bio=c.bio,
            surgery=c.surgery,
            key_posts="\n".join(c.key_posts) or None,
            terms=[TermOfOfficeRow(start=t.start, end=t.end) for t in c.terms],
            roles=[
                CouncillorRoleRow(kind=r.kind.value, title=r.title, committee=r.committee)
                for r in c.roles
            ],
            external_ids=[CouncillorExternalIdRow(scheme=DEMO_SCHEME, value=c.moderngov_id)],
        )


def _insert_officers(
    session: Session, officers: tuple[DemoOfficer, ...], service_ids: dict[str, int]
) -> dict[str, int]:
    """Insert officers a management level at a time, so every manager has an id first."""
    ids: dict[str, int] = {}
    level = [o for o in officers if o.manager is None]
    while level:
        result = session.execute(
            insert(OfficerRow).returning(OfficerRow.person_id, OfficerRow.id),
            [_officer_dict(o, service_ids, ids) for o in level],
        )
        ids.update({person_id: officer_id for person_id, officer_id in result})
        level = [o for o in officers if o.manager in ids and o.person_id not in ids]
    return ids


def _officer_dict(
    o: DemoOfficer, service_ids: dict[str, int], ids: dict[str, int]
) -> dict[str, Any]:
    return {
        "person_id": o.person_id,
        "given_name": o.given_name,
        "family_name": o.family_name,
        "email": o.email,
        "phone": o.phone,
        "job_title": o.job_title,
        "service_id": service_ids[o.service] if o.service else None,
        "manager_id": ids[o.manager] if o.manager else None,
        "team": o.team,
        "location": o.location,
        "bio": o.bio,
        "updated_at": o.updated_at,
    }


def _changes(
    source: str,
    officer_ids: dict[str, int],
    officers: dict[str, DemoOfficer],
    council: DemoCouncil,
    contact_rows: Iterable[Any],
) -> Iterable[Change]:
    for officer in council.officers:
        yield Change(
            "officer", Action.ADDED, officer_ids[officer.person_id], officer.name, source=source
        )
    for contact, (contact_id,) in zip(council.contacts, contact_rows, strict=True):
        label = f"{contact.ward} – {contact.service}: {officers[contact.officer].name}"
        yield Change("ward_contact", Action.ADDED, contact_id, label, source=source)
