"""Write a sync plan with bulk Core statements: inserts, grouped updates, archives, ward links.

New officers get ids reserved up front (a PostgreSQL sequence, or past the highest id on
SQLite inside the write transaction), so manager links and ward references go in with the
same bulk inserts, managers before the people who report to them.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import (
    Table,
    and_,
    bindparam,
    delete,
    update,
)
from sqlalchemy.orm import Session

from kdc_core.changes import Action, Change
from kdc_core.db import tracking
from kdc_core.db.base import utcnow
from kdc_core.db.bulk import insert_rows, plain, stored_form
from kdc_core.db.people import DirectorateRow, OfficerRow, OfficerWardRow, ServiceRow
from kdc_core.directory.bulk import NEW_OFFICER_COLUMNS, chunks, reserve_ids
from kdc_core.directory.existing import DIRECTORY
from kdc_core.directory.plan import Work
from kdc_core.directory.values import SYNCED_FIELDS, DirectoryRecord

LINK_COLUMNS = ("officer_id", "ward_id", "source")

#: ``progress(rows_written, rows_in_total)``, called after each bulk statement.
Progress = Callable[[int, int], None]


def _slug(name: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())


def _organisation(session: Session, work: Work, source: str) -> dict[str, int]:
    """Create new directorates and services; move services to the directorate the source gives.

    Done through the ORM (a handful of rows), so change tracking records them itself.
    Returns lower-case service name → id.
    """
    ex = work.existing
    directorates = dict(ex.directorate_ids)
    for name in work.plan.new_directorates:
        row = DirectorateRow(name=name, slug=_slug(name))
        session.add(row)
        session.flush()
        directorates[name.lower()] = row.id
    services = dict(ex.service_ids)
    # Each service's directorate as the first record naming the service gives it.
    wanted: dict[str, int | None] = {
        key: directorates.get(directorate.lower()) if directorate else None
        for key, directorate in work.service_directorates.items()
    }
    for name in work.plan.new_services:
        service = ServiceRow(name=name, slug=_slug(name), directorate_id=wanted.get(name.lower()))
        session.add(service)
        session.flush()
        services[name.lower()] = service.id
    for key, directorate_id in wanted.items():
        service_id = services[key]
        if (
            service_id in ex.service_directorate
            and directorate_id is not None
            and ex.service_directorate[service_id] != directorate_id
        ):
            existing = session.get(ServiceRow, service_id)
            if existing is not None:
                existing.directorate_id = directorate_id
    session.flush()
    return services


def _insert_order(new: list[str], managers: dict[str, str | None]) -> list[str]:
    """New person ids with every manager before the people who report to them."""
    new_set, placed, order = set(new), set(), []
    for pid in new:
        chain = []
        current: str | None = pid
        while current is not None and current in new_set and current not in placed:
            if current in chain:
                break
            chain.append(current)
            current = managers.get(current)
        for item in reversed(chain):
            if item not in placed:
                placed.add(item)
                order.append(item)
    return order


def apply_plan(session: Session, work: Work, source: str, progress: Progress | None = None) -> None:
    """Write ``work`` in the session's transaction and record one change per officer."""
    report = progress or (lambda n, total: None)
    plan, ex = work.plan, work.existing
    services = _organisation(session, work, source)
    if not plan.changes:
        return
    total = plan.changes

    def step(count: int) -> None:
        report(count, total)

    table = cast(Table, OfficerRow.__table__)
    stored = stored_form(session.connection(), table.c.updated_at)
    now = stored(utcnow())
    officers = plain(table)
    links = cast(Table, OfficerWardRow.__table__)

    new_pids = _insert_order([d.person_id for d in plan.added], work.managers)
    ids = dict(zip(new_pids, reserve_ids(session, len(new_pids)), strict=True))
    id_of = {pid: row[0] for pid, row in ex.officers.items()} | ids

    def service_id(r: DirectoryRecord) -> int | None:
        return services[r.service.lower()] if r.service else None

    inserted: set[str] = set()
    deferred: list[dict[str, Any]] = []
    rows = []
    records, managers = work.records, work.managers
    texts = operator.attrgetter(*SYNCED_FIELDS[:-1])  # the text fields, in column order
    for pid in new_pids:
        r = records[pid]
        manager = managers[pid]
        manager_id = id_of[manager] if manager else None
        if manager in ids and manager not in inserted:
            deferred.append({"b_id": ids[pid], "manager_id": manager_id})
            manager_id = None
        inserted.add(pid)
        rows.append(
            (
                ids[pid],
                pid,
                *texts(r),
                stored(r.updated_at),
                services[r.service.lower()] if r.service else None,
                manager_id,
                now,
                now,
                None,
            )
        )
    for chunk in chunks(rows):
        insert_rows(session.connection(), table, NEW_OFFICER_COLUMNS, chunk)
        step(len(chunk))

    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for diff in plan.updated + plan.reactivated:
        r = records[diff.person_id]
        values: dict[str, Any] = {}
        for f in diff.fields:
            if f == "updated_at":
                values[f] = stored(r.updated_at)
            elif f in SYNCED_FIELDS:
                values[f] = getattr(r, f)
            elif f == "service":
                values["service_id"] = service_id(r)
            elif f == "manager":
                manager = managers[diff.person_id]
                values["manager_id"] = id_of[manager] if manager else None
            elif f == "archived_at":
                values["archived_at"] = None
        if values:
            values["b_id"] = id_of[diff.person_id]
            groups.setdefault(tuple(sorted(values)), []).append(values)
    if deferred:
        groups.setdefault(("b_id", "manager_id"), []).extend(deferred)
    for columns, params in groups.items():
        stmt = (
            update(officers)
            .where(officers.c.id == bindparam("b_id"))
            .values({c: bindparam(c) for c in columns if c != "b_id"} | {"modified_at": now})
        )
        for chunk in chunks(params):
            session.execute(stmt, chunk)
            step(len(chunk))

    archive_ids = [id_of[d.person_id] for d in plan.archived]
    for chunk in chunks(archive_ids):
        session.execute(
            update(officers)
            .where(officers.c.id.in_(chunk))
            .values(archived_at=now, modified_at=now)
        )
        step(len(chunk))

    _wards(session, work, id_of, links)
    changes = [
        Change("officer", Action.ADDED, ids[p], work.records[p].name, (), source) for p in new_pids
    ]
    changes += [
        Change("officer", Action.UPDATED, id_of[d.person_id], d.name, d.fields, source)
        for d in plan.updated
    ]
    changes += [
        Change("officer", Action.REACTIVATED, id_of[d.person_id], d.name, d.fields, source)
        for d in plan.reactivated
    ]
    changes += [
        Change("officer", Action.ARCHIVED, id_of[d.person_id], d.name, d.fields, source)
        for d in plan.archived
    ]
    tracking.record(session, changes)


def _wards(session: Session, work: Work, id_of: dict[str, int], links: Any) -> None:
    """Bring the directory's ward references in step; locally added ones are left alone."""
    ex = work.existing
    add: list[tuple[int, int, str]] = []
    remove: list[dict[str, Any]] = []
    for pid in work.ward_changed:
        wanted = work.ward_sets[pid]
        officer_id = id_of[pid]
        have = ex.directory_wards.get(officer_id, frozenset())
        if have == wanted:
            continue
        add += [(officer_id, w, DIRECTORY) for w in sorted(wanted - have)]
        remove += [{"b_officer": officer_id, "b_ward": w} for w in have - wanted]
    if remove:
        stmt = delete(links).where(
            and_(
                links.c.officer_id == bindparam("b_officer"),
                links.c.ward_id == bindparam("b_ward"),
                links.c.source == DIRECTORY,
            )
        )
        for chunk in chunks(remove):
            session.execute(stmt, chunk)
    for chunk in chunks(add):
        insert_rows(session.connection(), links, LINK_COLUMNS, chunk)
