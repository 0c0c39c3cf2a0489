"""``--push-wards``: hand the wards kdc holds for officers back to a source that can store them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from kdc_core.db.people import OfficerRow, OfficerWardRow, WardRow
from kdc_core.directory.values import DirectorySource, WardPush

if TYPE_CHECKING:
    from kdc_core.app import Kdc


def ward_pushes(session: Session) -> list[WardPush]:
    """Every active officer with a ward added locally, with all their wards (directory and
    local, by name). Officers whose wards all came from the directory already match it."""
    rows = session.execute(
        select(OfficerRow.person_id, WardRow.name, OfficerWardRow.source)
        .join(OfficerWardRow, OfficerWardRow.officer_id == OfficerRow.id)
        .join(WardRow, WardRow.id == OfficerWardRow.ward_id)
        .where(OfficerRow.archived_at.is_(None))
        .order_by(OfficerRow.person_id, WardRow.name)
    ).all()
    wards: dict[str, set[str]] = {}
    local: set[str] = set()
    for person_id, ward, source in rows:
        wards.setdefault(person_id, set()).add(ward)
        if source != "directory":
            local.add(person_id)
    return [WardPush(pid, tuple(sorted(wards[pid]))) for pid in sorted(local)]


def push_wards(kdc: Kdc, source: DirectorySource, args: Sequence[str]) -> int:
    """Write officers' wards back through ``source.push_wards``; returns how many it wrote."""
    if source.push_wards is None:
        raise ValueError(f"the {source.name} source cannot write wards back")
    with kdc.unit_of_work(source=f"directory:{source.name}", dry_run=True) as uow:
        pushes = ward_pushes(uow.session)
    return source.push_wards(args, kdc.settings, pushes)
