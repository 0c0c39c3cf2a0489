"""One Popolo document: persons, organizations, areas, posts and memberships.

:func:`build_document` is a pure function of frozen values (a :class:`Snapshot`); the lists
it returns are sorted by id and :func:`export_popolo` writes them with sorted keys, so the
same data always gives the same bytes.

Choices worth knowing:

- Archived councillors stay in the export: they held public office. Their memberships end
  on the term's end or, for a term still open, on the day they were archived (the party and
  role memberships end that day too). Archived officers are left out: they were staff, not
  office holders, and the export describes today's organisation.
- Each ward has three councillor seats (``post/councillor-<ward>-1`` … ``-3``). The data
  does not say which seat a councillor holds, so terms are laid on the seats in order of
  start date, each on the lowest seat free at that date. A term that finds no free seat
  (more than three overlapping terms — wrong data) keeps its area but has no post.
- Officers' posts are job titles within their service: one post per title and service,
  shared by everyone with that title there. An officer with no service belongs to the
  council itself. Teams are organizations within their service.
- Officers carry only what the people's site shows a signed-out visitor (see
  :mod:`kdc_popolo.officers`): no email, phone, office or manager.
- The wards officers answer for are memberships with the ward as ``area_id``: a membership
  of their service for each ward they work in ("Ward officer"), of the named service for
  each named contact ("Named contact for Highways"), and of the council for each ward's
  link officer ("Link officer"). Only active officers appear, so a named contact or link
  officer who has been archived is left out with them.
- Councillor roles become memberships: a role naming a committee joins that committee, a
  cabinet portfolio joins the Cabinet, a group leader or business manager role is a second
  membership of the party. Other roles without a committee are not exported.
- Areas carry the ward's ONS code twice: as Popolo's single ``identifier`` and in an
  ``identifiers`` list (scheme ``ons``) like persons and organizations have.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import attrs

from kdc_core.people.values import (
    Councillor,
    Directorate,
    Officer,
    PoliticalGroup,
    Service,
    Ward,
    WardContact,
)
from kdc_popolo.councillors import (
    assign_seats,
    councillor_memberships,
    councillor_person,
    seats_by_ward,
)
from kdc_popolo.ids import (
    COUNCIL_ID,
    ONS_SCHEME,
    Json,
    area_id,
    compact,
    directorate_id,
    officer_id,
    party_id,
    seat_id,
    service_id,
)
from kdc_popolo.officers import (
    contact_membership,
    job_memberships,
    link_membership,
    officer_person,
    team_organizations,
    ward_memberships,
)

if TYPE_CHECKING:
    from kdc_core.unit_of_work import UnitOfWork


@attrs.frozen
class Snapshot:
    """Everything the export needs, read in one unit of work."""

    council_name: str
    tz: dt.tzinfo
    wards: tuple[Ward, ...] = ()
    groups: tuple[PoliticalGroup, ...] = ()
    directorates: tuple[Directorate, ...] = ()
    services: tuple[Service, ...] = ()
    councillors: tuple[Councillor, ...] = ()
    officers: tuple[Officer, ...] = ()
    #: The named officer for each service in each ward.
    ward_contacts: tuple[WardContact, ...] = ()
    #: Each ward that has a link officer, with them.
    link_officers: tuple[tuple[Ward, Officer], ...] = ()

    @classmethod
    def read(cls, uow: UnitOfWork) -> Snapshot:
        """Read through the unit of work's repository: archived councillors included,
        archived officers not."""
        people = uow.people
        wards = tuple(people.wards())
        links = ((ward, people.link_officer(ward.id)) for ward in wards if ward.id is not None)
        return cls(
            council_name=uow.settings.council_name,
            tz=uow.settings.tz,
            wards=wards,
            groups=tuple(people.groups()),
            directorates=tuple(people.directorates()),
            services=tuple(people.services()),
            councillors=tuple(people.councillors(include_archived=True)),
            officers=tuple(people.officers()),
            ward_contacts=tuple(people.ward_contacts()),
            link_officers=tuple((ward, officer) for ward, officer in links if officer is not None),
        )


def export_popolo(uow: UnitOfWork) -> str:
    """The ``kdc export popolo`` text: the document as indented JSON with sorted keys."""
    document = build_document(Snapshot.read(uow))
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def build_document(snapshot: Snapshot) -> Json:
    """The Popolo document for ``snapshot``, every list sorted by id."""
    orgs = _organizations(snapshot)
    posts: dict[str, Json] = {}
    memberships: dict[str, Json] = {}
    persons: dict[str, Json] = {}

    seats = assign_seats(snapshot.councillors, snapshot.tz)
    ward_seats = seats_by_ward(snapshot.councillors, seats)
    for ward in snapshot.wards:
        for seat in range(1, ward_seats.get(ward.slug, 0) + 1):
            posts[seat_id(ward, seat)] = {
                "id": seat_id(ward, seat),
                "label": f"Councillor for {ward.name}",
                "role": "Councillor",
                "organization_id": COUNCIL_ID,
                "area_id": area_id(ward),
            }

    for councillor in snapshot.councillors:
        person = councillor_person(councillor)
        persons[person["id"]] = person
        for membership in councillor_memberships(councillor, seats, snapshot.tz, orgs):
            memberships.setdefault(membership["id"], membership)

    for officer in snapshot.officers:
        if not officer.active:
            continue
        person = officer_person(officer)
        persons[person["id"]] = person
        for membership in (*job_memberships(officer, posts), *ward_memberships(officer)):
            memberships[membership["id"]] = membership
    for contact in snapshot.ward_contacts:
        if officer_id(contact.officer) in persons:  # archived officers are not
            membership = contact_membership(contact)
            memberships[membership["id"]] = membership
    for ward, officer in snapshot.link_officers:
        if officer_id(officer) in persons:
            membership = link_membership(ward, officer)
            memberships[membership["id"]] = membership

    areas = {area_id(ward): _area(ward) for ward in snapshot.wards}
    return {
        "persons": _sorted(persons),
        "organizations": _sorted(orgs),
        "areas": _sorted(areas),
        "posts": _sorted(posts),
        "memberships": _sorted(memberships),
    }


def _sorted(items: dict[str, Json]) -> list[Json]:
    return [items[key] for key in sorted(items)]


def _organizations(snapshot: Snapshot) -> dict[str, Json]:
    """The council, its parties, directorates, services and teams (committees come later)."""
    orgs: dict[str, Json] = {
        COUNCIL_ID: {"id": COUNCIL_ID, "name": snapshot.council_name, "classification": "council"}
    }
    for group in snapshot.groups:
        short = [{"name": group.short_name, "note": "short name"}] if group.short_name else []
        orgs[party_id(group)] = compact(
            {
                "id": party_id(group),
                "name": group.name,
                "classification": "party",
                "other_names": short,
            }
        )
    for directorate in snapshot.directorates:
        orgs[directorate_id(directorate)] = {
            "id": directorate_id(directorate),
            "name": directorate.name,
            "classification": "directorate",
            "parent_id": COUNCIL_ID,
        }
    for service in snapshot.services:
        parent = directorate_id(service.directorate) if service.directorate else COUNCIL_ID
        orgs[service_id(service)] = {
            "id": service_id(service),
            "name": service.name,
            "classification": "service",
            "parent_id": parent,
        }
    orgs.update(team_organizations(snapshot.officers))
    return orgs


def _area(ward: Ward) -> Json:
    codes = [{"scheme": ONS_SCHEME, "identifier": ward.ons_code}] if ward.ons_code else []
    return compact(
        {
            "id": area_id(ward),
            "name": ward.name,
            "classification": "ward",
            "identifier": ward.ons_code,
            "identifiers": codes,
        }
    )
