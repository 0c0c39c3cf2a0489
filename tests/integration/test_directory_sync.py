"""``kdc directory sync``: diff by person id, guard, one transaction, every run recorded."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence

import pytest
from directory_data import WARDS, directory, retitle, write_csv
from sqlalchemy import func, select

from kdc_core import hookimpl
from kdc_core.changes import Action, ChangeSet
from kdc_core.db import OfficerRow, OfficerWardRow, SyncRunRow, WardRow
from kdc_core.directory.engine import run_sync, source_named
from kdc_core.directory.values import DirectoryRecord, DirectorySource


class Recorder:
    """A plugin that keeps every committed change set and offers a source that fails midway."""

    def __init__(self) -> None:
        self.committed: list[ChangeSet] = []
        self.flaky_records: Sequence[DirectoryRecord] = ()

    @hookimpl
    def kdc_changes_committed(self, changes: ChangeSet) -> None:
        self.committed.append(changes)

    @hookimpl
    def kdc_register_directory_sources(self, register) -> None:
        register(DirectorySource("flaky", "Fails halfway through.", self._read))

    def _read(self, args, settings) -> Iterator[DirectoryRecord]:
        half = len(self.flaky_records) // 2
        yield from self.flaky_records[:half]
        raise RuntimeError("the directory server went away")


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def kdc_extra_plugins(recorder):
    return [("recorder", recorder)]


@pytest.fixture
def wards(kdc_app):
    with kdc_app.unit_of_work() as uow:
        for name in WARDS:
            uow.session.add(WardRow(name=name, slug=name.lower().replace(" ", "-")))


def sync(kdc_run, path, *extra):
    result = kdc_run("directory", "sync", "csv", str(path), "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def scalar(kdc_app, stmt):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        return uow.session.execute(stmt).scalar_one()


def snapshot(kdc_app):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        officers = uow.session.execute(select(OfficerRow.__table__).order_by(OfficerRow.id)).all()
        links = uow.session.execute(
            select(OfficerWardRow.__table__).order_by(OfficerWardRow.id)
        ).all()
    return [tuple(r) for r in officers], [tuple(r) for r in links]


def test_fifty_thousand_rows_load_then_resync_changes_nothing_and_one_percent_retitled_updates_them(
    kdc_app, kdc_run, wards, recorder, tmp_path
):
    records = directory(50_000)
    first = sync(kdc_run, write_csv(tmp_path / "all.csv", records))
    assert first["counts"]["added"] == 50_000
    assert scalar(kdc_app, select(func.count()).select_from(OfficerRow)) == 50_000
    assert scalar(kdc_app, select(func.count()).where(OfficerRow.manager_id.is_not(None))) == 49_995
    assert scalar(kdc_app, select(func.count()).select_from(OfficerWardRow)) == 50_000 // 3
    manager = OfficerRow.__table__.alias("manager")
    boss = scalar(
        kdc_app,
        select(manager.c.person_id)
        .join(OfficerRow, OfficerRow.manager_id == manager.c.id)
        .where(OfficerRow.person_id == "P049999"),
    )
    assert boss == "P005000"
    assert recorder.committed[-1].count("officer", Action.ADDED) == 50_000

    again = sync(kdc_run, tmp_path / "all.csv")
    assert again["changes"] == 0 and again["counts"]["unchanged"] == 50_000

    changed = retitle(records, 100)
    third = sync(kdc_run, write_csv(tmp_path / "retitled.csv", changed))
    expected = {r.person_id for i, r in enumerate(records) if i % 100 == 0}
    assert third["counts"]["updated"] == 500 and third["changes"] == 500
    assert {d["person_id"] for d in third["updated"]} == expected
    assert all(d["fields"] == ["job_title"] for d in third["updated"])
    titled = select(func.count()).where(OfficerRow.job_title == "Principal Officer")
    assert scalar(kdc_app, titled) == 500
    updates = recorder.committed[-1]
    assert updates.count("officer", Action.UPDATED) == 500 and len(updates) == 500


def test_a_file_missing_thirty_percent_is_refused_and_force_archives_then_they_return(
    kdc_app, kdc_run, wards, tmp_path
):
    records = directory(1000)
    full = write_csv(tmp_path / "full.csv", records)
    sync(kdc_run, full)
    before = snapshot(kdc_app)

    short = write_csv(tmp_path / "short.csv", records[:700])
    refused = kdc_run("directory", "sync", "csv", str(short))
    assert refused.exit_code != 0
    assert "archive 300 of 1000 active officers (30.0%)" in refused.output
    assert "more than the 10%" in refused.output
    assert snapshot(kdc_app) == before

    forced = sync(kdc_run, short, "--force")
    assert forced["counts"]["archived"] == 300
    assert scalar(kdc_app, select(func.count()).select_from(OfficerRow)) == 1000
    archived = select(func.count()).where(OfficerRow.archived_at.is_not(None))
    assert scalar(kdc_app, archived) == 300

    back = sync(kdc_run, full)
    assert back["counts"]["reactivated"] == 300 and back["counts"]["added"] == 0
    assert scalar(kdc_app, archived) == 0

    with kdc_app.unit_of_work(dry_run=True) as uow:
        outcomes = uow.session.scalars(select(SyncRunRow.outcome).order_by(SyncRunRow.id)).all()
    assert outcomes == ["applied", "refused", "applied", "applied"]


def test_a_source_that_reads_zero_records_is_refused(kdc_app, kdc_run, wards, tmp_path):
    sync(kdc_run, write_csv(tmp_path / "some.csv", directory(20)))
    empty = write_csv(tmp_path / "empty.csv", [])
    result = kdc_run("directory", "sync", "csv", str(empty))
    assert result.exit_code != 0 and "gave 0 records" in result.output
    archived = select(func.count()).where(OfficerRow.archived_at.is_not(None))
    assert scalar(kdc_app, archived) == 0


def test_hook_kdc_register_directory_sources_a_source_raising_halfway_changes_nothing(
    kdc_app, kdc_run, wards, recorder, tmp_path
):
    records = directory(400)
    sync(kdc_run, write_csv(tmp_path / "all.csv", records))
    before = snapshot(kdc_app)
    committed = len(recorder.committed)
    recorder.flaky_records = retitle(records, 2)[:300]

    source = source_named(kdc_app, "flaky")
    assert source.help == "Fails halfway through."
    with pytest.raises(RuntimeError, match="went away"):
        run_sync(kdc_app, source, force=True, actor="test")

    assert snapshot(kdc_app) == before
    assert len(recorder.committed) == committed
    with kdc_app.unit_of_work(dry_run=True) as uow:
        last = uow.session.scalars(select(SyncRunRow).order_by(SyncRunRow.id.desc())).first()
        assert last is not None
        assert (last.source, last.outcome, last.actor) == ("flaky", "failed", "test")
        assert "went away" in last.message


def test_a_bad_csv_row_is_named_by_line_with_the_reason_and_nothing_is_written(
    kdc_app, kdc_run, wards, tmp_path
):
    path = write_csv(tmp_path / "bad.csv", directory(6))
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("Family2,", ",", 1)  # line 3: no family name
    lines[4] = lines[4].replace("2026-10-01T09:00:00+01:00", "1 Oct 2026")  # line 5
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = kdc_run("directory", "sync", "csv", str(path))
    assert result.exit_code != 0
    assert "bad.csv line 3: no family_name" in result.output
    assert "bad.csv line 5: updated_at '1 Oct 2026' is not an ISO 8601 time" in result.output
    assert scalar(kdc_app, select(func.count()).select_from(OfficerRow)) == 0


def test_directory_wards_follow_the_source_and_local_wards_are_kept(
    kdc_app, kdc_run, wards, tmp_path
):
    import attrs

    records = directory(30)
    sync(kdc_run, write_csv(tmp_path / "one.csv", records))
    with kdc_app.unit_of_work() as uow:
        officer = uow.session.scalars(
            select(OfficerRow).where(OfficerRow.person_id == "P000003")
        ).one()
        local = uow.session.scalars(select(WardRow).where(WardRow.name == "Batley East")).one()
        uow.session.add(OfficerWardRow(officer_id=officer.id, ward_id=local.id, source="local"))

    moved = [
        attrs.evolve(r, wards=("Almondbury", "Nowhere Ward")) if r.person_id == "P000003" else r
        for r in records
    ]
    out = sync(kdc_run, write_csv(tmp_path / "two.csv", moved))
    assert [d["fields"] for d in out["updated"]] == [["wards"]]
    assert any("unknown ward 'Nowhere Ward'" in p for p in out["problems"])
    with kdc_app.unit_of_work(dry_run=True) as uow:
        links = uow.session.execute(
            select(WardRow.name, OfficerWardRow.source)
            .join(OfficerWardRow, OfficerWardRow.ward_id == WardRow.id)
            .join(OfficerRow, OfficerRow.id == OfficerWardRow.officer_id)
            .where(OfficerRow.person_id == "P000003")
            .order_by(WardRow.name)
        ).all()
    assert [tuple(x) for x in links] == [("Almondbury", "directory"), ("Batley East", "local")]


def test_dry_run_prints_the_full_diff_and_writes_nothing(kdc_app, kdc_run, wards, tmp_path):
    path = write_csv(tmp_path / "few.csv", directory(3))
    result = kdc_run("directory", "sync", "csv", str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "add        P000001 Given1 Family1" in result.output
    assert "Would make 3 changes: 3 added" in result.output
    assert "Dry run: nothing was written." in result.output
    assert scalar(kdc_app, select(func.count()).select_from(OfficerRow)) == 0
    runs = kdc_run("directory", "runs", "--json")
    assert [r["outcome"] for r in json.loads(runs.stdout)] == ["dry-run"]


def test_the_guard_share_comes_from_kdc_toml(tmp_path):
    from kdc_core.config import load_settings
    from kdc_core.errors import ConfigError

    good = tmp_path / "kdc.toml"
    good.write_text("[directory]\nmax_archive_share = 0.25\nstale_months = 3\n")
    settings = load_settings(good, environ={})
    assert (settings.directory.max_archive_share, settings.directory.stale_months) == (0.25, 3)
    bad = tmp_path / "bad.toml"
    bad.write_text("[directory]\nmax_archive_share = 2\n")
    with pytest.raises(ConfigError, match=r"directory\.max_archive_share"):
        load_settings(bad, environ={})


def test_progress_reports_every_row_written_against_the_total(kdc_app, wards):
    records = directory(12_000)
    calls: list[tuple[int, int]] = []
    source = DirectorySource("memory", "In memory.", lambda args, settings: records)
    result = run_sync(
        kdc_app, source, actor="test", progress=lambda n, total: calls.append((n, total))
    )
    assert result.plan.changes == 12_000
    assert sum(n for n, _ in calls) == 12_000 and len(calls) == 3  # 5,000-row statements
    assert {total for _, total in calls} == {12_000}


def test_a_re_sync_that_changes_nothing_uses_no_orm_and_records_the_run(kdc_app, wards):
    """Core statements only (no ORM query, no ORM row written), so a command that re-syncs an
    unchanged directory never configures the mappers; the run is still recorded in full."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from kdc_core.directory.engine import locked_sync

    records = directory(40)
    source = DirectorySource("memory", "In memory.", lambda args, settings: records)
    locked_sync(kdc_app, source, actor="test")
    orm: list[str] = []

    def on_execute(state) -> None:
        if state.all_mappers:
            orm.append(str(state.statement)[:60])

    def on_flush(session, context, instances) -> None:
        orm.extend(type(row).__name__ for row in (*session.new, *session.dirty))

    event.listen(Session, "do_orm_execute", on_execute)
    event.listen(Session, "before_flush", on_flush)
    try:
        result = locked_sync(kdc_app, source, ("a", "b"), actor="test")
    finally:
        event.remove(Session, "do_orm_execute", on_execute)
        event.remove(Session, "before_flush", on_flush)
    assert orm == []
    assert result.plan.changes == 0 and result.plan.unchanged == 40
    with kdc_app.unit_of_work(dry_run=True) as uow:
        row = uow.session.get(SyncRunRow, result.run.id)
        assert row is not None
        assert (row.source, row.arguments, row.outcome, row.actor) == (
            "memory",
            "a b",
            "applied",
            "test",
        )
        assert (row.records, row.unchanged, row.added, row.problems) == (40, 40, 0, 0)
        assert row.started_at == result.run.started_at and row.finished_at is not None


def test_update_times_are_compared_as_instants_to_the_microsecond(kdc_app, wards):
    """The same instant written with another offset is no change; a microsecond later is,
    and the diff shows both times in ISO 8601 as the same kind of value."""
    import attrs

    first = dt.datetime(2026, 10, 1, 9, 0, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    records = directory(3)
    stamped = [attrs.evolve(r, updated_at=first) for r in records]
    source = DirectorySource("memory", "In memory.", lambda args, settings: stamped)
    run_sync(kdc_app, source, actor="test")

    same = [attrs.evolve(r, updated_at=first.astimezone(dt.UTC)) for r in records]
    source = DirectorySource("memory", "In memory.", lambda args, settings: same)
    assert run_sync(kdc_app, source, actor="test", dry_run=True).plan.unchanged == 3

    later = first + dt.timedelta(microseconds=1)
    moved = [*same[:2], attrs.evolve(same[2], updated_at=later)]
    source = DirectorySource("memory", "In memory.", lambda args, settings: moved)
    plan = run_sync(kdc_app, source, actor="test", dry_run=True).plan
    assert plan.unchanged == 2
    (diff,) = plan.updated
    assert diff.person_id == "P000003" and diff.fields == ("updated_at",)
    assert diff.before == {"updated_at": "2026-10-01T08:00:00.123456+00:00"}
    assert diff.after == {"updated_at": later.isoformat()}
    assert dt.datetime.fromisoformat(diff.after["updated_at"]) - dt.datetime.fromisoformat(
        diff.before["updated_at"]
    ) == dt.timedelta(microseconds=1)


def test_on_postgresql_the_officers_are_read_while_the_source_is(kdc_app, wards, monkeypatch):
    """On PostgreSQL the query for the officers runs in a thread of its own while the source
    is read; on SQLite they are read afterwards, in the sync's own thread."""
    import threading

    from kdc_core.directory import engine

    on_server = kdc_app.engine.dialect.name == "postgresql"
    loading = threading.Event()
    threads: list[str] = []
    real = engine.load_existing

    def watched(session):
        threads.append(threading.current_thread().name)
        loading.set()
        return real(session)

    monkeypatch.setattr(engine, "load_existing", watched)
    waited: list[bool] = []

    def read(args, settings):
        waited.append(loading.wait(10 if on_server else 0))
        return directory(5)

    result = run_sync(kdc_app, DirectorySource("memory", "In memory.", read), actor="test")
    assert len(result.plan.added) == 5
    if on_server:
        assert waited == [True] and threads[0].startswith("kdc-directory-load")
    else:
        assert waited == [False] and threads == [threading.current_thread().name]
