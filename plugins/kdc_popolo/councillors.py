"""Councillors in Popolo: persons, council seats, party and committee memberships."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from kdc_core.people.values import Councillor, RoleKind, slugify
from kdc_popolo.ids import (
    CABINET_ID,
    COUNCIL_ID,
    Json,
    area_id,
    committee_id,
    compact,
    contact_details,
    councillor_id,
    iso_date,
    local_date,
    party_id,
    seat_id,
)

Period = tuple[dt.date | None, dt.date | None]
SeatKey = tuple[int | None, int]


def councillor_person(councillor: Councillor) -> Json:
    return compact(
        {
            "id": councillor_id(councillor),
            "name": councillor.name,
            "email": councillor.email,
            "image": councillor.photo_url,
            "biography": councillor.bio,
            "summary": "; ".join(councillor.key_posts) or None,
            "contact_details": contact_details(
                councillor.email, ("voice", councillor.phone), ("cell", councillor.mobile)
            ),
            "identifiers": [
                {"scheme": scheme, "identifier": value}
                for scheme, value in sorted(councillor.external_ids)
            ],
        }
    )


def periods(councillor: Councillor, tz: dt.tzinfo) -> list[Period]:
    """The councillor's terms as (start, end), oldest first.

    An archived councillor's terms end no later than the day they were archived; a
    councillor with no recorded terms has one period with no start.
    """
    archived = local_date(councillor.archived_at, tz)
    terms = sorted(councillor.terms, key=lambda t: t.start)
    if not terms:
        return [(None, archived)]
    out: list[Period] = []
    for term in terms:
        end = term.end
        if archived is not None and (end is None or archived < end):
            end = archived
        out.append((term.start, end))
    return out


def assign_seats(councillors: Sequence[Councillor], tz: dt.tzinfo) -> dict[SeatKey, int]:
    """``{(councillor id, period index): seat number}``.

    Within each ward, periods are taken in order of start (then end, name, id) and each goes
    on the lowest-numbered seat whose last holder left before it began; when every seat is
    held, a new one is added. A ward thus has as many seats as it ever had councillors at
    once — one to five in different councils, and nothing here assumes how many.
    """
    by_ward: dict[str, list[Councillor]] = {}
    for councillor in councillors:
        if councillor.ward is not None:
            by_ward.setdefault(councillor.ward.slug, []).append(councillor)
    out: dict[SeatKey, int] = {}
    for slug in sorted(by_ward):
        ordered = sorted(
            (start or dt.date.min, end or dt.date.max, c.name, c.id or 0, c.id, index)
            for c in by_ward[slug]
            for index, (start, end) in enumerate(periods(c, tz))
        )
        held_until: dict[int, dt.date] = {}
        for start, end, _name, _order, cid, index in ordered:
            free = [seat for seat, until in held_until.items() if until < start]
            seat = min(free) if free else len(held_until) + 1
            held_until[seat] = end
            out[(cid, index)] = seat
    return out


def seats_by_ward(councillors: Sequence[Councillor], seats: dict[SeatKey, int]) -> dict[str, int]:
    """``{ward slug: number of seats}`` from :func:`assign_seats`' answer."""
    ward_of = {c.id: c.ward.slug for c in councillors if c.ward is not None}
    out: dict[str, int] = {}
    for (cid, _index), seat in seats.items():
        slug = ward_of[cid]
        out[slug] = max(out.get(slug, 0), seat)
    return out


def councillor_memberships(
    councillor: Councillor,
    seats: dict[SeatKey, int],
    tz: dt.tzinfo,
    orgs: dict[str, Json],
) -> Iterator[Json]:
    """Council seats (one per term), the party, and roles; adds committees to ``orgs``."""
    person = councillor_id(councillor)
    base = f"membership/councillor-{councillor.id}"
    ward = councillor.ward
    left = iso_date(local_date(councillor.archived_at, tz))
    for index, (start, end) in enumerate(periods(councillor, tz)):
        seat = seats.get((councillor.id, index))
        yield compact(
            {
                "id": f"{base}-council-{iso_date(start) or 'term'}",
                "person_id": person,
                "organization_id": COUNCIL_ID,
                "role": "Councillor",
                "label": f"Councillor for {ward.name}" if ward else "Councillor",
                "post_id": seat_id(ward, seat) if ward and seat else None,
                "area_id": area_id(ward) if ward else None,
                "start_date": iso_date(start),
                "end_date": iso_date(end),
            }
        )
    group = councillor.group
    if group is not None:
        orgs.setdefault(
            party_id(group), {"id": party_id(group), "name": group.name, "classification": "party"}
        )
        yield compact(
            {
                "id": f"{base}-party",
                "person_id": person,
                "organization_id": party_id(group),
                "role": "member",
                "end_date": left,
            }
        )
    for role in councillor.roles:
        if role.committee:
            org = committee_id(role.committee)
            name, classification = role.committee, "committee"
        elif role.kind == RoleKind.CABINET_PORTFOLIO:
            org, name, classification = CABINET_ID, "Cabinet", "executive"
        elif role.kind in (RoleKind.GROUP_LEADER, RoleKind.GROUP_BUSINESS_MANAGER) and group:
            org, name, classification = party_id(group), group.name, "party"
        else:
            continue
        if classification != "party":
            orgs.setdefault(
                org,
                {
                    "id": org,
                    "name": name,
                    "classification": classification,
                    "parent_id": COUNCIL_ID,
                },
            )
        yield compact(
            {
                "id": f"{base}-{org.removeprefix('organization/')}-{slugify(role.title)}",
                "person_id": person,
                "organization_id": org,
                "role": role.title,
                "end_date": left,
            }
        )
