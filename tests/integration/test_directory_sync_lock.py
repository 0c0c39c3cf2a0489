"""Two ``kdc directory sync`` runs never interleave: the second is refused while the first
holds the ``directory_sync`` lock, and the officers end up exactly as one source has them."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence

import pytest
from directory_data import WARDS, directory, retitle
from sqlalchemy import select

from kdc_core import hookimpl
from kdc_core.app import Kdc
from kdc_core.db import OfficerRow, WardRow
from kdc_core.directory.engine import SyncBusy, locked_sync, source_named
from kdc_core.directory.values import DirectoryRecord, DirectorySource
from kdc_core.jobs import locks, runner
from kdc_core.plugins import make_plugin_manager

FIRST = directory(60)
SECOND = retitle(directory(60)[:55], 2)  # five fewer officers, half of them retitled


class Sources:
    """Two sources: ``slow`` (FIRST, reading takes ``pause`` seconds after it starts) and
    ``quick`` (SECOND). ``reading`` is set once the slow read has begun."""

    def __init__(self) -> None:
        self.pause = 1.5
        self.reading = threading.Event()

    def _slow(self, args, settings) -> Iterator[DirectoryRecord]:
        self.reading.set()
        time.sleep(self.pause)
        yield from FIRST

    def _quick(self, args, settings) -> Sequence[DirectoryRecord]:
        return SECOND

    @hookimpl
    def kdc_register_directory_sources(self, register) -> None:
        register(DirectorySource("slow", "Slow to read.", self._slow))
        register(DirectorySource("quick", "Quick to read.", self._quick))


@pytest.fixture
def sources() -> Sources:
    return Sources()


@pytest.fixture
def kdc_extra_plugins(sources):
    return [("sources", sources)]


@pytest.fixture
def wards(kdc_app):
    with kdc_app.unit_of_work() as uow:
        for name in WARDS:
            uow.session.add(WardRow(name=name, slug=name.lower().replace(" ", "-")))


def officers(kdc: Kdc) -> list[tuple[str, str | None, bool]]:
    with kdc.unit_of_work(dry_run=True) as uow:
        return [
            (r.person_id, r.job_title, r.archived_at is None)
            for r in uow.session.scalars(select(OfficerRow).order_by(OfficerRow.person_id))
        ]


def expected(records: Sequence[DirectoryRecord]) -> list[tuple[str, str | None, bool]]:
    return sorted((r.person_id, r.job_title, True) for r in records)


def test_a_second_sync_while_one_is_reading_is_refused_and_the_first_source_wins(
    kdc_app, wards, sources
):
    apps = [Kdc(kdc_app.settings, make_plugin_manager(kdc_app.settings, [("s", sources)]))]
    apps.append(Kdc(kdc_app.settings, make_plugin_manager(kdc_app.settings, [("s", sources)])))
    outcomes: dict[str, object] = {}

    def run(app: Kdc, name: str) -> None:
        try:
            outcomes[name] = locked_sync(app, source_named(app, name), force=True)
        except SyncBusy as exc:
            outcomes[name] = exc

    slow = threading.Thread(target=run, args=(apps[0], "slow"))
    slow.start()
    assert sources.reading.wait(30)
    quick = threading.Thread(target=run, args=(apps[1], "quick"))
    quick.start()
    quick.join(60)
    slow.join(60)
    for app in apps:
        app.dispose()
    assert isinstance(outcomes["quick"], SyncBusy)
    message = str(outcomes["quick"])
    assert message.startswith("directory_sync is already running on ")
    assert " since " in message
    assert not isinstance(outcomes["slow"], Exception)
    assert officers(kdc_app) == expected(FIRST)


def test_after_the_first_sync_ends_the_second_runs_and_its_source_wins(kdc_app, wards, sources):
    sources.pause = 0
    locked_sync(kdc_app, source_named(kdc_app, "slow"), force=True)
    locked_sync(kdc_app, source_named(kdc_app, "quick"), force=True)
    state = officers(kdc_app)
    assert [o for o in state if o[2]] == expected(SECOND)


def test_kdc_directory_sync_says_who_holds_the_lock_and_exits_1(kdc_app, kdc_run, wards):
    with locks.hold(kdc_app.engine, "directory_sync", "sync-host-7:4242:abcd1234"):
        result = kdc_run("directory", "sync", "quick")
    assert result.exit_code == 1
    assert "directory_sync is already running on sync-host-7 since " in result.output
    assert result.output.rstrip().endswith(("GMT", "BST"))  # the council's time zone
    assert officers(kdc_app) == []


def test_the_directory_sync_job_uses_its_source_and_args_and_the_same_lock(kdc_app, sources, wards):
    sources.pause = 0
    settings = kdc_app.settings.evolve(jobs={"directory_sync": {"source": "quick", "args": []}})
    app = Kdc(settings, make_plugin_manager(settings, [("s", sources)]))
    try:
        (status,) = [s for s in runner.statuses(app) if s.job.name == "directory_sync"]
        assert status.schedule.expression is None  # scheduled only when kdc.toml says when
        with locks.hold(app.engine, "directory_sync", "other-host:1:x"):
            assert runner.run(app, "directory_sync").status == "busy"
        outcome = runner.run(app, "directory_sync")
        assert outcome.status == "ok", outcome.message
        assert outcome.record is not None and outcome.record.summary["added"] == len(SECOND)
    finally:
        app.dispose()
    assert officers(kdc_app) == expected(SECOND)
