"""The sync plan works out unchanged records column by column; it must give exactly what
reading every record one at a time gives. Random directories, synced once and then changed in
every way a directory changes, are planned both ways and compared."""

from __future__ import annotations

import datetime as dt
import operator
import random
from typing import Any

import attrs
import pytest
from sqlalchemy import update

from kdc_core.db import OfficerRow, WardRow
from kdc_core.directory import plan as planning
from kdc_core.directory.checks import check_manager_loops, check_text, id_key, index_records
from kdc_core.directory.engine import run_sync
from kdc_core.directory.existing import (
    ARCHIVED,
    FIRST,
    ID,
    LAST,
    MANAGER,
    SERVICE,
    load_existing,
)
from kdc_core.directory.values import (
    SYNCED_FIELDS,
    DirectoryRecord,
    DirectorySource,
    OfficerDiff,
    SourceError,
    SyncPlan,
)

WARDS = ("Almondbury", "Batley East", "Dewsbury West")
SERVICES = ("Streetscene", "Parks", "Housing", "Libraries")
DIRECTORATES = ("Environment", "Growth", None)
TIMES = (
    None,
    dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))),
    dt.datetime(2026, 10, 1, 8, 0, tzinfo=dt.UTC),
    dt.datetime(2026, 11, 2, 12, 30, 15, 250, tzinfo=dt.UTC),
)


def reference(session: Any, source: str, records: list[DirectoryRecord]) -> planning.Work:
    """The plan read one record at a time (as the planner did before it compared columns)."""
    check_text(records)
    ex = load_existing(session)
    by_pid, canonical, respelt = planning.match_stored_ids(index_records(records), ex)
    planning.check_emails(by_pid, ex)
    problems: list[str] = []
    unknown_wards: dict[str, list[str]] = {}
    new_services: dict[str, str] = {}
    new_directorates: dict[str, str] = {}
    ward_sets: dict[str, frozenset[int]] = {}
    managers: dict[str, str | None] = {}
    ward_changed: list[str] = []
    service_directorates: dict[str, str | None] = {}
    added, updated, reactivated = [], [], []
    unchanged = 0
    stored_keys = {i: name.lower() for i, name in ex.service_names.items()}
    for pid, r in by_pid.items():
        found = set()
        for name in r.wards:
            ward_id = ex.ward_ids.get(name.strip().lower())
            if ward_id is None:
                unknown_wards.setdefault(name, []).append(r.origin or pid)
            else:
                found.add(ward_id)
        ids = ward_sets[pid] = frozenset(found)
        service_key = r.service.lower() if r.service else None
        if service_key:
            if service_key not in ex.service_ids:
                new_services.setdefault(service_key, r.service or "")
            service_directorates.setdefault(service_key, r.directorate)
        if r.directorate and r.directorate.lower() not in ex.directorate_ids:
            new_directorates.setdefault(r.directorate.lower(), r.directorate)
        manager = r.manager_id
        if manager is not None:
            known = manager if manager in by_pid else canonical.get(id_key(manager))
            if known is None:
                problems.append(
                    f"{r.origin or pid}: manager {manager} is not in the directory; "
                    "the manager link is left empty"
                )
            manager = known
        managers[pid] = manager
        row = ex.officers.get(pid)
        if row is None:
            added.append(OfficerDiff(pid, r.name))
            if ids:
                ward_changed.append(pid)
            continue
        wanted = (*(getattr(r, f) for f in SYNCED_FIELDS[:-1]), ex.stored_time(r.updated_at))
        pairs = zip(SYNCED_FIELDS, row[FIRST:LAST], wanted, strict=True)
        fields = [f for f, a, b in pairs if a != b]
        if (stored_keys.get(row[SERVICE]) if row[SERVICE] else None) != service_key:
            fields.append("service")
        if (ex.pid_by_id.get(row[MANAGER]) if row[MANAGER] else None) != manager:
            fields.append("manager")
        if ex.directory_wards.get(row[ID], frozenset()) != ids:
            fields.append("wards")
            ward_changed.append(pid)
        if row[ARCHIVED] is not None:
            reactivated.append(OfficerDiff(pid, r.name, (*fields, "archived_at")))
        elif fields:
            shown = [f for f in fields if f in SYNCED_FIELDS]
            before = {
                f: planning._show_stored(f, row[FIRST + SYNCED_FIELDS.index(f)]) for f in shown
            }
            after = {f: planning._show(getattr(r, f)) for f in shown}
            updated.append(OfficerDiff(pid, r.name, tuple(fields), before, after))
        else:
            unchanged += 1
    check_manager_loops(managers, by_pid)
    if respelt:
        problems.append(respelt)
    archived = [
        OfficerDiff(pid, f"{row[FIRST]} {row[FIRST + 1]}", ("archived_at",))
        for pid, row in ex.officers.items()
        if pid not in by_pid and row[ARCHIVED] is None
    ]
    for name, where in sorted(unknown_wards.items()):
        problems.append(
            f"unknown ward {name!r} given for {len(where)} officer(s), first at {where[0]}; "
            "that ward reference was not recorded"
        )
    plan = SyncPlan(
        source=source,
        records=len(by_pid),
        active_before=list(map(operator.itemgetter(ARCHIVED), ex.officers.values())).count(None),
        added=tuple(added),
        updated=tuple(updated),
        archived=tuple(archived),
        reactivated=tuple(reactivated),
        unchanged=unchanged,
        new_services=tuple(sorted(new_services.values())),
        new_directorates=tuple(sorted(new_directorates.values())),
        problems=tuple(problems),
    )
    return planning.Work(plan, ex, by_pid, ward_sets, managers, ward_changed, service_directorates)


def directory(rng: random.Random, count: int) -> list[DirectoryRecord]:
    records = []
    for n in range(1, count + 1):
        ward_names = rng.sample(WARDS, rng.randint(0, 2))
        if rng.random() < 0.1:
            ward_names.append(rng.choice(["Nowhere", "  almondbury ", "BATLEY-EAST"]))
        records.append(
            DirectoryRecord(
                person_id=f"P{n:04d}",
                given_name=rng.choice(["Ann", "Bo", "Cy"]),
                family_name=f"Family{n}",
                email=rng.choice([None, f"p{n}@kirklees.gov.uk"]),
                phone=rng.choice([None, "01484 221000"]),
                job_title=rng.choice([None, "Officer", "Manager"]),
                service=rng.choice([*SERVICES, None]),
                directorate=rng.choice(DIRECTORATES),
                manager_id=(
                    None if n == 1 or rng.random() < 0.2 else f"P{rng.randint(1, n - 1):04d}"
                ),
                team=rng.choice([None, "Team A", "Team B"]),
                wards=tuple(ward_names),
                location=rng.choice([None, "Civic Centre 1"]),
                updated_at=rng.choice(TIMES),
                origin=f"generated line {n + 1}",
            )
        )
    return records


def changed(rng: random.Random, records: list[DirectoryRecord]) -> list[DirectoryRecord]:
    """The directory some time later: people changed, gone, new, or written differently."""
    out = []
    for r in records:
        roll = rng.random()
        if roll < 0.08:
            continue  # left
        if roll < 0.16:
            field = rng.choice(["job_title", "team", "phone", "location", "given_name"])
            r = attrs.evolve(r, **{field: f"{field} changed"})
        elif roll < 0.2:
            r = attrs.evolve(r, service=rng.choice([*SERVICES, "New Service", "PARKS", None]))
        elif roll < 0.24:
            r = attrs.evolve(r, wards=tuple(rng.sample(WARDS, rng.randint(0, 3))))
        elif roll < 0.27:
            r = attrs.evolve(r, manager_id=rng.choice([None, "P0001", "PX999"]))
        elif roll < 0.3:
            r = attrs.evolve(r, updated_at=rng.choice(TIMES))
        elif roll < 0.33:
            r = attrs.evolve(r, person_id=r.person_id.lower())  # the same person, respelt
        elif roll < 0.35:
            r = attrs.evolve(r, directorate=rng.choice(["New Directorate", "Growth"]))
        out.append(r)
    top = max(int(r.person_id[1:]) for r in records)
    out += directory(rng, top + 6)[top:]  # new people
    rng.shuffle(out)
    return out


def outcome(work_of: Any) -> Any:
    try:
        work = work_of()
    except SourceError as exc:
        return ("refused", str(exc), exc.problems)
    return (
        work.plan,
        work.records,
        work.ward_sets,
        work.managers,
        work.ward_changed,
        work.service_directorates,
    )


@pytest.mark.parametrize("seed", range(8))
def test_the_column_plan_is_the_record_by_record_plan(kdc_app, seed):
    rng = random.Random(seed)
    with kdc_app.unit_of_work() as uow:
        for name in WARDS:
            uow.session.add(WardRow(name=name, slug=name.lower().replace(" ", "-")))
    first = directory(rng, 40)
    run_sync(kdc_app, DirectorySource("t", "t", lambda a, s: first), force=True)
    with kdc_app.unit_of_work() as uow:  # some have left since, as kdc knows
        uow.session.execute(
            update(OfficerRow)
            .where(OfficerRow.person_id.in_([r.person_id for r in first[::9]]))
            .values(archived_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
        )
    planned = 0
    for later in (first, changed(rng, first), changed(rng, changed(rng, first))):
        with kdc_app.unit_of_work(dry_run=True) as uow:
            got = outcome(lambda rs=later: planning.plan_sync(uow.session, "t", rs))
            want = outcome(lambda rs=later: reference(uow.session, "t", rs))
        assert got == want
        planned += got[0] != "refused"
    assert planned >= 2  # most mixes were planned, not refused
