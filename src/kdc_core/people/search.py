"""Who does what: finding officers by name, service, team or ward, a page at a time.

Only active officers are found. Every filter is optional and they combine (AND); the text
matches any part of the officer's name or job title, ignoring case, with ``%`` and ``_``
taken literally. Results come a page at a time, ordered by family name, so a search that
matches everyone still costs two small queries and one page of officers.
"""

from __future__ import annotations

import attrs
from sqlalchemy import Select, func, select

from kdc_core.db.people import OfficerRow, OfficerWardRow, ServiceRow, WardRow
from kdc_core.people.values import Officer
from kdc_core.unit_of_work import UnitOfWork

#: The most officers one page of results shows.
PAGE_SIZE = 25
#: Search text longer than this is cut; nobody's name is longer.
MAX_TEXT = 100


@attrs.frozen
class OfficerQuery:
    """What to look for. Blank values are no filter; ``service`` and ``ward`` are slugs."""

    text: str = ""
    service: str = ""
    ward: str = ""
    team: str = ""

    @property
    def empty(self) -> bool:
        return not (self.text or self.service or self.ward or self.team)


@attrs.frozen
class OfficerResults:
    """One page of officers matching a query, and how many match in all."""

    query: OfficerQuery
    officers: tuple[Officer, ...]
    total: int
    page: int
    pages: int


def clean_text(value: str | None, limit: int = MAX_TEXT) -> str:
    """Search input made safe to use: control characters (NUL …) dropped, spaces squeezed,
    at most ``limit`` characters."""
    printable = "".join(ch for ch in (value or "") if ch.isprintable())
    return " ".join(printable.split())[:limit]


def _filtered(query: OfficerQuery) -> Select[int]:
    stmt = select(OfficerRow.id).where(OfficerRow.archived_at.is_(None))
    if query.text:
        needle = query.text.lower()
        full_name = func.lower(OfficerRow.given_name + " " + OfficerRow.family_name)
        stmt = stmt.where(
            full_name.contains(needle, autoescape=True)
            | func.lower(func.coalesce(OfficerRow.job_title, "")).contains(needle, autoescape=True)
        )
    if query.service:
        stmt = stmt.where(
            OfficerRow.service_id.in_(select(ServiceRow.id).where(ServiceRow.slug == query.service))
        )
    if query.ward:
        stmt = stmt.where(
            OfficerRow.id.in_(
                select(OfficerWardRow.officer_id)
                .join(WardRow, WardRow.id == OfficerWardRow.ward_id)
                .where(WardRow.slug == query.ward)
            )
        )
    if query.team:
        stmt = stmt.where(OfficerRow.team == query.team)
    return stmt


def search_officers(
    uow: UnitOfWork, query: OfficerQuery, page: int = 1, per_page: int = PAGE_SIZE
) -> OfficerResults:
    """One page (from 1) of the active officers matching ``query``, by family name.

    A page past the last gives the last page; an empty query matches every active officer.
    """
    query = attrs.evolve(
        query,
        text=clean_text(query.text),
        service=clean_text(query.service),
        ward=clean_text(query.ward),
        team=clean_text(query.team, 200),
    )
    matching = _filtered(query)
    total = uow.session.scalar(select(func.count()).select_from(matching.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    ids = uow.session.scalars(
        matching.order_by(OfficerRow.family_name, OfficerRow.given_name, OfficerRow.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    found = {o.id: o for o in uow.people.officers(ids=ids)}
    officers = tuple(found[i] for i in ids if i in found)
    return OfficerResults(query, officers, total, page, pages)


def teams(uow: UnitOfWork) -> list[str]:
    """The names of the teams active officers belong to, in order."""
    rows = uow.session.scalars(
        select(OfficerRow.team)
        .where(OfficerRow.archived_at.is_(None), OfficerRow.team.is_not(None))
        .distinct()
        .order_by(OfficerRow.team)
    )
    return [team for team in rows if team]
