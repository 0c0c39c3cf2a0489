"""Stable web addresses for councillors: ``/councillors/<slug>/``.

A councillor's slug is their name slugified (``"Zara O'Hara"`` → ``zara-o-hara``). Where two
councillors, serving or former, share that slug, the one recorded first keeps it and each
later one gets their id appended (``zara-o-hara-71``), so a second Zara O'Hara joining never
moves the first one's page. ``<slug>-<id>`` always finds councillor ``id``, so an address
given out with the id keeps working if a clash goes away; the page redirects to the
canonical address.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from kdc_core.db.people import CouncillorRow
from kdc_core.errors import NotFound
from kdc_core.people.values import Councillor, slugify
from kdc_core.unit_of_work import UnitOfWork

_ID_SUFFIX = re.compile(r"^(?P<base>.*)-(?P<id>\d{1,12})$")


def base_slug(name: str) -> str:
    """The name's slug before any clash is settled (``councillor`` for a name with no letters)."""
    return slugify(name) or "councillor"


def councillor_slugs(uow: UnitOfWork) -> dict[int, str]:
    """``{councillor id: slug}`` for every councillor, archived ones included, in one query."""
    rows = uow.session.execute(
        select(CouncillorRow.id, CouncillorRow.name).order_by(CouncillorRow.id)
    )
    slugs: dict[int, str] = {}
    taken: set[str] = set()
    for councillor_id, name in rows:
        slug = base_slug(name)
        if slug in taken:
            slug = f"{slug}-{councillor_id}"
        taken.add(slug)
        slugs[councillor_id] = slug
    return slugs


def councillor_slug(uow: UnitOfWork, councillor_id: int) -> str:
    """One councillor's slug.

    :raises NotFound: no councillor has this id.
    """
    try:
        return councillor_slugs(uow)[councillor_id]
    except KeyError:
        raise NotFound(f"no councillor with id {councillor_id}") from None


def councillor_by_slug(uow: UnitOfWork, slug: str) -> tuple[Councillor, str]:
    """The councillor a slug names, and their canonical slug (which may differ: see above).

    :raises NotFound: no councillor has this slug.
    """
    found, canonical = councillor_id_by_slug(uow, slug)
    return uow.people.councillor(found), canonical


def councillor_id_by_slug(uow: UnitOfWork, slug: str) -> tuple[int, str]:
    """The id of the councillor a slug names, and their canonical slug, without loading the
    councillor.

    :raises NotFound: no councillor has this slug.
    """
    slugs = councillor_slugs(uow)
    by_slug = {s: cid for cid, s in slugs.items()}
    found = by_slug.get(slug)
    if found is None and (match := _ID_SUFFIX.match(slug)):
        candidate = int(match["id"])
        if slugs.get(candidate) in (match["base"], slug):
            found = candidate
    if found is None:
        raise NotFound(f"no councillor at {slug[:80]!r}")
    return found, slugs[found]
