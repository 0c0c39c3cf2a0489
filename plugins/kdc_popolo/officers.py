"""Officers in Popolo: persons, their posts, teams and the wards they answer for.

Only what the people's site shows a signed-out visitor is exported about an officer: the
name, the job title, the service (and so the directorate), the team, the wards they work
in, the pen portrait, and the directory id that is already in their public page's address.
Their email, phone, office and manager are shown only to signed-in councillors and staff,
so they are not open data and are left out.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from kdc_core.people.values import Officer, Service, Ward, WardContact, slugify
from kdc_popolo.ids import (
    COUNCIL_ID,
    DIRECTORY_SCHEME,
    Json,
    area_id,
    compact,
    officer_id,
    officer_post_id,
    service_id,
)

#: The role of an officer's membership for a ward they work in.
WARD_OFFICER = "Ward officer"
#: The role of a ward's link officer's membership.
LINK_OFFICER = "Link officer"


def officer_person(officer: Officer) -> Json:
    """The officer as a Popolo person: public details only (see the module docstring)."""
    return compact(
        {
            "id": officer_id(officer),
            "name": officer.name,
            "given_name": officer.given_name,
            "family_name": officer.family_name,
            "sort_name": f"{officer.family_name}, {officer.given_name}",
            "biography": officer.bio,
            "identifiers": [{"scheme": DIRECTORY_SCHEME, "identifier": officer.person_id}],
        }
    )


def home_organization(officer: Officer) -> str:
    """The officer's service, or the council itself when they have none."""
    return service_id(officer.service) if officer.service else COUNCIL_ID


def team_id(team: str, service: Service | None) -> str | None:
    """A team within its service (the same team name in two services is two teams); None
    when the name has no letters or digits."""
    slug = slugify(team)
    if not slug:
        return None
    return f"organization/team-{service.slug}-{slug}" if service else f"organization/team-{slug}"


def team_organizations(officers: Sequence[Officer]) -> dict[str, Json]:
    """One organization per team that an active officer belongs to, under its service."""
    teams: dict[str, Json] = {}
    for officer in officers:
        if not officer.team or not officer.active:
            continue
        org = team_id(officer.team, officer.service)
        if org is not None:
            teams.setdefault(
                org,
                {
                    "id": org,
                    "name": officer.team,
                    "classification": "team",
                    "parent_id": home_organization(officer),
                },
            )
    return teams


def job_memberships(officer: Officer, posts: dict[str, Json]) -> Iterator[Json]:
    """The officer's job (their job-title post in their service) and their team; adds the
    post to ``posts``."""
    person = officer_id(officer)
    org = home_organization(officer)
    post = officer_post_id(org, officer.job_title) if officer.job_title else None
    if post is not None:
        posts.setdefault(
            post,
            {
                "id": post,
                "label": officer.job_title,
                "role": officer.job_title,
                "organization_id": org,
            },
        )
    yield compact(
        {
            "id": f"membership/officer-{officer.id}",
            "person_id": person,
            "organization_id": org,
            "post_id": post,
            "role": officer.job_title or "Officer",
        }
    )
    team = team_id(officer.team, officer.service) if officer.team else None
    if team is not None:
        yield {
            "id": f"membership/officer-{officer.id}-team",
            "person_id": person,
            "organization_id": team,
            "role": "member",
        }


def ward_memberships(officer: Officer) -> Iterator[Json]:
    """One membership of the officer's service per ward they work in, the ward as area.

    A ward linked both by the staff directory and by hand is one membership.
    """
    wards = {link.ward.slug: link.ward for link in officer.wards}
    for slug in sorted(wards):
        yield {
            "id": f"membership/officer-{officer.id}-ward-{slug}",
            "person_id": officer_id(officer),
            "organization_id": home_organization(officer),
            "role": WARD_OFFICER,
            "label": f"Works in {wards[slug].name}",
            "area_id": area_id(wards[slug]),
        }


def contact_membership(contact: WardContact) -> Json:
    """The named contact for a service in a ward: a membership of that service (which need
    not be the officer's own), the ward as area."""
    officer, service, ward = contact.officer, contact.service, contact.ward
    return {
        "id": f"membership/officer-{officer.id}-contact-{service.slug}-{ward.slug}",
        "person_id": officer_id(officer),
        "organization_id": service_id(service),
        "role": f"Named contact for {service.name}",
        "label": f"Named contact for {service.name} in {ward.name}",
        "area_id": area_id(ward),
    }


def link_membership(ward: Ward, officer: Officer) -> Json:
    """The ward's link officer: a membership of the council, the ward as area."""
    return {
        "id": f"membership/officer-{officer.id}-link-{ward.slug}",
        "person_id": officer_id(officer),
        "organization_id": COUNCIL_ID,
        "role": LINK_OFFICER,
        "label": f"Link officer for {ward.name}",
        "area_id": area_id(ward),
    }
