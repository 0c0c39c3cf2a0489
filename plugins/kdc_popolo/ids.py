"""Stable Popolo ids and small helpers shared by the document builders.

Ids come from slugs and database ids, never from positions in a list, so the same data
always gets the same ids and a re-export diffs cleanly.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kdc_core.people.values import (
    Councillor,
    Directorate,
    Officer,
    PoliticalGroup,
    Service,
    Ward,
    slugify,
)

Json = dict[str, Any]

COUNCIL_ID = "organization/council"
CABINET_ID = "organization/cabinet"
#: Identifier scheme for an officer's staff-directory id.
DIRECTORY_SCHEME = "directory"
#: Identifier scheme for a ward's ONS (GSS) code.
ONS_SCHEME = "ons"


def area_id(ward: Ward) -> str:
    return f"area/ward-{ward.slug}"


def party_id(group: PoliticalGroup) -> str:
    return f"organization/party-{slugify(group.name)}"


def directorate_id(directorate: Directorate) -> str:
    return f"organization/directorate-{directorate.slug}"


def service_id(service: Service) -> str:
    return f"organization/service-{service.slug}"


def committee_id(name: str) -> str:
    return f"organization/committee-{slugify(name)}"


def councillor_id(councillor: Councillor) -> str:
    return f"person/councillor-{councillor.id}"


def officer_id(officer: Officer) -> str:
    return f"person/officer-{officer.id}"


def seat_id(ward: Ward, seat: int) -> str:
    return f"post/councillor-{ward.slug}-{seat}"


def officer_post_id(organization_id: str, job_title: str) -> str | None:
    """One post per job title within an organization; None when the title has no letters."""
    slug = slugify(job_title)
    return f"post/{organization_id.removeprefix('organization/')}-{slug}" if slug else None


def compact(item: Json) -> Json:
    """Drop keys whose value is None or an empty list."""
    return {k: v for k, v in item.items() if v is not None and v != []}


def iso_date(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def local_date(moment: dt.datetime | None, tz: dt.tzinfo) -> dt.date | None:
    """The calendar day of ``moment`` in the council's time zone."""
    return moment.astimezone(tz).date() if moment else None


def contact_details(email: str | None, *phones: tuple[str, str | None]) -> list[Json]:
    """Popolo contact details: the email, then each (type, number) that is set."""
    out = [{"type": "email", "value": email}] if email else []
    out += [{"type": kind, "value": number} for kind, number in phones if number]
    return out
