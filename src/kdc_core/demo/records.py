"""The demo council as plain frozen records, before any database is involved.

Records refer to each other by name (wards, groups, services) or by directory person id
(officers), never by database id, so :func:`kdc_core.demo.build_demo` needs no database and
two builds compare equal.
"""

from __future__ import annotations

import datetime as dt

import attrs

from kdc_core.people.values import Role, TermOfOffice, WardSource


@attrs.frozen
class DemoWard:
    name: str
    area: str
    ons_code: str | None = None
    #: person id of the ward link officer; ``None`` for the one ward left without on purpose.
    link_officer: str | None = None


@attrs.frozen
class DemoGroup:
    name: str
    short_name: str


@attrs.frozen
class DemoCouncillor:
    #: the councillor's id under the ``moderngov`` scheme ("1001" …).
    moderngov_id: str
    name: str
    ward: str
    group: str
    email: str | None
    phone: str | None
    mobile: str | None
    photo_url: str | None
    bio: str | None
    key_posts: tuple[str, ...]
    terms: tuple[TermOfOffice, ...]
    roles: tuple[Role, ...]
    #: when and where to meet them (Markdown); ``None`` for those who hold no surgery.
    surgery: str | None = None


@attrs.frozen
class DemoService:
    name: str
    directorate: str
    ward_facing: bool


@attrs.frozen
class DemoOfficer:
    person_id: str
    given_name: str
    family_name: str
    email: str | None
    phone: str | None
    job_title: str
    #: ``None`` for the Chief Executive and the directors, who lead more than one service.
    service: str | None
    #: person id of the line manager; ``None`` only for the Chief Executive.
    manager: str | None
    team: str | None
    location: str | None
    wards: tuple[tuple[str, WardSource], ...]
    updated_at: dt.datetime
    #: a pen portrait (Markdown), for some of them.
    bio: str | None = None

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@attrs.frozen
class DemoWardContact:
    ward: str
    service: str
    officer: str


@attrs.frozen
class DemoCouncil:
    """Everything :func:`kdc_core.demo.seed_demo` loads."""

    wards: tuple[DemoWard, ...]
    groups: tuple[DemoGroup, ...]
    directorates: tuple[str, ...]
    services: tuple[DemoService, ...]
    councillors: tuple[DemoCouncillor, ...]
    officers: tuple[DemoOfficer, ...]
    contacts: tuple[DemoWardContact, ...]

    def counts(self) -> dict[str, int]:
        return {
            "wards": len(self.wards),
            "political_groups": len(self.groups),
            "councillors": len(self.councillors),
            "directorates": len(self.directorates),
            "services": len(self.services),
            "officers": len(self.officers),
            "ward_contacts": len(self.contacts),
        }
