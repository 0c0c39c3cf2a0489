"""Officers of the demo council: the management tree, ward patches, contacts and link officers.

The tree is Chief Executive → strategic directors → heads of service → team managers →
staff. Each ward-facing service has a North and a South Kirklees team; the team's staff
split the region's wards between them as patches (every ward is someone's patch), and some
take on a neighbouring ward too. The patch holder is the ward's named contact for that
service, except for the pairs in :data:`~kdc_core.demo.places.CONTACT_GAPS`; the Local
Integrated Partnerships patch holder is the ward link officer, except in
:data:`~kdc_core.demo.places.WARD_WITHOUT_LINK_OFFICER`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random

import attrs

from kdc_core.demo.names import NamePicker, email_local
from kdc_core.demo.organisation import DIRECTORATES, ServiceSpec, TeamSpec
from kdc_core.demo.places import (
    CONTACT_GAPS,
    LOCATIONS,
    WARD_WITHOUT_LINK_OFFICER,
    region_wards,
)
from kdc_core.demo.records import DemoOfficer, DemoWardContact
from kdc_core.people.values import WardSource

LINK_OFFICER_SERVICE = "Local Integrated Partnerships"
LEADERSHIP_TEAM = "Executive Leadership Team"
EMAIL_DOMAIN = "example.gov.uk"

#: Officer records are dated between these; a later "stale data" view needs some old ones.
_OLDEST = dt.datetime(2025, 1, 6, 9, 0, tzinfo=dt.UTC)
_RECENT = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)
_NEWEST = dt.datetime(2026, 10, 30, 17, 0, tzinfo=dt.UTC)


@attrs.frozen
class Staffing:
    """What :func:`build_officers` produces."""

    officers: tuple[DemoOfficer, ...]
    #: (service, ward) → person id of the officer whose patch the ward is.
    patch_holders: dict[tuple[str, str], str]


class _Builder:
    def __init__(self, rng: random.Random, names: NamePicker) -> None:
        self.rng = rng
        self.names = names
        self.numbers = itertools.count(1)
        self.officers: list[DemoOfficer] = []
        self.patch_holders: dict[tuple[str, str], str] = {}

    def add(
        self,
        title: str,
        service: str | None,
        manager: str | None,
        team: str | None,
        location: str | None,
        wards: tuple[tuple[str, WardSource], ...] = (),
    ) -> str:
        number = next(self.numbers)
        given, family = self.names.pick()
        rng = self.rng
        officer = DemoOfficer(
            person_id=f"D{number:06d}",
            given_name=given,
            family_name=family,
            email=None if rng.random() < 0.03 else f"{email_local(given, family)}@{EMAIL_DOMAIN}",
            phone=None if rng.random() < 0.04 else f"01632 960{number:03d}",
            job_title=title,
            service=service,
            manager=manager,
            team=team,
            location=None if rng.random() < 0.02 else location,
            wards=wards,
            updated_at=self.updated_at(),
        )
        self.officers.append(officer)
        return officer.person_id

    def updated_at(self) -> dt.datetime:
        """A weekday in working hours: seven in ten in the six months to November 2026."""
        start, end = (_RECENT, _NEWEST) if self.rng.random() < 0.7 else (_OLDEST, _RECENT)
        day = start + dt.timedelta(days=self.rng.randrange((end - start).days))
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        return day.replace(hour=8) + dt.timedelta(minutes=self.rng.randrange(9 * 60))

    def location(self, spec: ServiceSpec, team: TeamSpec) -> str:
        if spec.base == "depot" and team.region:
            return "Dewsbury Depot" if team.region.startswith("North") else "Huddersfield Depot"
        where = team.region if spec.base == "area" and team.region else "office"
        return self.rng.choice(LOCATIONS[where])

    def staff_title(self, spec: ServiceSpec, index: int) -> str:
        if index == 0 and len(spec.titles) > 1:
            return spec.titles[1]  # one senior post a team
        if self.rng.random() < 0.6:
            return spec.titles[0]
        return self.rng.choice(spec.titles)

    def patches(self, team: TeamSpec) -> list[tuple[list[str], list[str]]]:
        """Split the team's region between its staff: ``(own patch, also covers)`` each."""
        if team.region is None:
            return [([], [])] * team.size
        wards = list(region_wards(team.region))
        self.rng.shuffle(wards)
        own: list[list[str]] = [[] for _ in range(team.size)]
        for i, ward in enumerate(wards):
            own[i % team.size].append(ward)
        out = []
        for patch in own:
            others = [w for w in wards if w not in patch]
            extra = [self.rng.choice(others)] if others and self.rng.random() < 0.3 else []
            out.append((patch, extra))
        return out

    def source(self) -> WardSource:
        """Most ward links come from the directory; some were added here by hand."""
        return WardSource.LOCAL if self.rng.random() < 0.08 else WardSource.DIRECTORY

    def team(self, spec: ServiceSpec, team: TeamSpec, head: str) -> None:
        region = team.region
        title = f"{spec.name} Manager – {region}" if region else f"{team.name} Manager"
        manager = self.add(title, spec.name, head, team.name, self.location(spec, team))
        for index, (patch, extra) in enumerate(self.patches(team)):
            wards = tuple((ward, self.source()) for ward in sorted(patch + extra))
            title = self.staff_title(spec, index)
            person = self.add(
                title, spec.name, manager, team.name, self.location(spec, team), wards
            )
            for ward in patch:
                self.patch_holders[(spec.name, ward)] = person


def build_officers(rng: random.Random, names: NamePicker) -> Staffing:
    """About 400 officers in a tree rooted at the Chief Executive."""
    b = _Builder(rng, names)
    ceo = b.add("Chief Executive", None, None, LEADERSHIP_TEAM, "Huddersfield Town Hall")
    for directorate in DIRECTORATES:
        director = ceo
        if directorate.director_title is not None:
            director = b.add(
                directorate.director_title, None, ceo, LEADERSHIP_TEAM, "Huddersfield Town Hall"
            )
        for spec in directorate.services:
            head = b.add(f"Head of {spec.name}", spec.name, director, None, LOCATIONS["office"][0])
            for team in spec.teams:
                b.team(spec, team, head)
    return Staffing(tuple(b.officers), b.patch_holders)


def ward_contacts(staffing: Staffing) -> tuple[DemoWardContact, ...]:
    """The patch holder for every (ward, ward-facing service) pair but the deliberate gaps."""
    return tuple(
        DemoWardContact(ward, service, person)
        for (service, ward), person in sorted(staffing.patch_holders.items(), key=_by_ward)
        if (ward, service) not in CONTACT_GAPS
    )


def link_officers(staffing: Staffing) -> dict[str, str]:
    """Ward → link officer: the Local Integrated Partnerships patch holder (one ward has none)."""
    return {
        ward: person
        for (service, ward), person in staffing.patch_holders.items()
        if service == LINK_OFFICER_SERVICE and ward != WARD_WITHOUT_LINK_OFFICER
    }


def _by_ward(item: tuple[tuple[str, str], str]) -> tuple[str, str]:
    (service, ward), _person = item
    return ward, service
