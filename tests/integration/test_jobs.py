"""Scheduled jobs: registered through the hook, due by their cron schedule, run once at a time
across hosts (advisory lock on PostgreSQL, lock row on SQLite), every run logged."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import insert, text

from kdc_core import hookimpl
from kdc_core.app import Kdc
from kdc_core.config import MailSettings, Settings
from kdc_core.db.jobs import JobLockRow, JobRunRow
from kdc_core.errors import ConfigError
from kdc_core.jobs import locks, runner
from kdc_core.jobs.values import Job, JobContext
from kdc_core.plugins import make_plugin_manager


class Counting:
    """A plugin with a job that counts its runs (slowly, so runs can overlap)."""

    def __init__(self, pause: float = 0.0, fail: bool = False) -> None:
        self.runs = 0
        self.pause = pause
        self.fail = fail
        self.configs: list[dict[str, object]] = []
        self._lock = threading.Lock()

    def work(self, context: JobContext) -> dict[str, int]:
        with self._lock:
            self.runs += 1
        self.configs.append(dict(context.config))
        time.sleep(self.pause)
        if self.fail:
            raise RuntimeError("the source answered 500")
        return {"counted": 1 if not context.dry_run else 0}

    @hookimpl
    def kdc_register_jobs(self, register):
        register(
            Job(
                name="counting",
                help="Count.",
                run=self.work,
                schedule="0 2 * * *",
                options=("source",),
            )
        )


@pytest.fixture
def counting() -> Counting:
    return Counting()


@pytest.fixture
def kdc_settings(kdc_database_url: str, tmp_path: Path) -> Settings:
    """A mailer is configured, so the jobs that queue mail (newsletter, reminders) can run."""
    return Settings(
        database_url=kdc_database_url,
        instance_path=tmp_path / "instance",
        environ={},
        mail=MailSettings(mailer="smtp", sender="councillor-support@kirklees.example"),
    )


@pytest.fixture
def kdc_extra_plugins(counting):
    return [("counting", counting)]


def test_hook_kdc_register_jobs_adds_a_job_that_kdc_jobs_lists(kdc_run, counting):
    result = kdc_run("jobs", "list", "--json")
    assert result.exit_code == 0, result.output
    listed = {item["name"]: item for item in json.loads(result.output)}
    assert {"counting", "outbox_dispatch", "enquiry_retention"} <= set(listed)
    assert listed["counting"]["schedule"] == "0 2 * * *"
    assert listed["counting"]["last_run"] is None


def test_run_due_runs_each_due_job_once_and_then_nothing_is_due(kdc_run, kdc_app, counting):
    first = kdc_run("jobs", "run-due")
    assert first.exit_code == 0, first.output
    assert "counting: ok" in first.output, first.output
    assert "outbox_dispatch: ok" in first.output, first.output
    assert counting.runs == 1
    second = kdc_run("jobs", "run-due")
    assert second.exit_code == 0
    assert counting.runs == 1
    assert "counting" not in second.output
    history = runner.history(kdc_app, "counting")
    assert [r.status for r in history] == ["ok"]
    assert history[0].trigger == "schedule" and history[0].summary == {"counted": 1}


def test_a_job_is_due_again_when_its_schedule_next_fires(kdc_app, counting):
    start = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)
    runner.run_due(kdc_app, now=lambda: start)
    assert counting.runs == 1
    runner.run_due(kdc_app, now=lambda: start + dt.timedelta(hours=13))  # 01:00 next day
    assert counting.runs == 1
    runner.run_due(kdc_app, now=lambda: start + dt.timedelta(hours=14, minutes=1))  # 02:01
    assert counting.runs == 2


def test_schedules_are_read_in_the_council_time_zone(kdc_app, counting):
    # 02:00 in London in July is 01:00 UTC.
    summer = dt.datetime(2027, 7, 10, 0, 59, tzinfo=dt.UTC)
    runner.run_due(kdc_app, now=lambda: summer)  # never run: due for the 9 July slot
    assert counting.runs == 1
    runner.run_due(kdc_app, now=lambda: summer + dt.timedelta(minutes=2))
    assert counting.runs == 2


def test_a_failed_run_is_logged_with_its_error_and_exits_1(kdc_run, kdc_app, counting):
    counting.fail = True
    result = kdc_run("jobs", "run", "counting")
    assert result.exit_code == 1
    assert "counting: failed" in result.output and "the source answered 500" in result.output
    (record,) = runner.history(kdc_app, "counting")
    assert record.status == "failed" and "500" in (record.error or "")


def test_a_job_held_elsewhere_is_not_run(kdc_app, counting):
    with locks.hold(kdc_app.engine, "counting", "other-host:1:x"):
        outcome = runner.run(kdc_app, "counting")
    assert outcome.status == "busy"
    assert counting.runs == 0
    assert runner.run(kdc_app, "counting").status == "ok"


def test_two_hosts_running_due_jobs_at_once_run_each_once(kdc_app, counting):
    counting.pause = 0.5
    barrier = threading.Barrier(2)
    outcomes: list[list[runner.Outcome]] = []

    def host() -> None:
        barrier.wait()
        outcomes.append(runner.run_due(kdc_app))

    threads = [threading.Thread(target=host) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert counting.runs == 1
    statuses = sorted(o.status for run in outcomes for o in run if o.job == "counting")
    assert statuses in (["busy", "ok"], ["not-due", "ok"])


def test_a_run_left_running_by_a_dead_host_is_marked_abandoned(kdc_app, counting):
    with kdc_app.engine.begin() as conn:
        conn.execute(
            insert(JobRunRow).values(
                job="counting",
                trigger="schedule",
                host="dead",
                status="running",
                summary={},
                started_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=3),
            )
        )
    runner.run(kdc_app, "counting")
    assert [r.status for r in runner.history(kdc_app, "counting")] == ["ok", "abandoned"]


def test_a_lock_whose_holder_died_is_taken_over(kdc_app):
    """SQLite: a lock row past its expiry. PostgreSQL: an advisory lock whose connection closed."""
    if kdc_app.engine.dialect.name == "sqlite":
        with kdc_app.engine.begin() as conn:
            conn.execute(
                insert(JobLockRow).values(
                    name="counting",
                    owner="dead:1:x",
                    acquired_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=7),
                    expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
                )
            )
    else:
        dead = kdc_app.engine.connect()
        dead.execute(text("SELECT pg_advisory_lock(hashtext('kdc:job:counting'))"))
        dead.commit()
        assert locks.is_held(kdc_app.engine, "counting")
        assert runner.run(kdc_app, "counting").status == "busy"
        dead.invalidate()  # the host died: its connection, and so its lock, are gone
        dead.close()
    assert runner.run(kdc_app, "counting").status == "ok"


@pytest.mark.postgres
def test_the_holder_named_is_the_one_in_this_database(kdc_postgres_url):
    """Advisory locks are per database: a lock of the same name held in another database on
    the same server (another council, or another test) neither blocks this one nor is named
    as its holder."""
    from sqlalchemy import create_engine

    from kdc_core.testing import no_postgres
    from kdc_core.testing.databases import postgres_databases

    if kdc_postgres_url is None:
        no_postgres()
    with postgres_databases(kdc_postgres_url, prefix="kdc_locks") as make:
        elsewhere, here = (create_engine(make(name)) for name in ("elsewhere", "here"))
        try:
            with (
                locks.hold(elsewhere, "counting", "other-council:1:aaaa"),
                locks.hold(here, "counting", "this-host:2:bbbb"),
                pytest.raises(locks.Busy) as busy,
                locks.hold(here, "counting", "this-host:3:cccc"),
            ):
                pass
            assert busy.value.held.host == "this-host"
        finally:
            elsewhere.dispose()
            here.dispose()


def test_the_jobs_table_sets_schedule_and_options(kdc_database_url, tmp_path: Path, counting):
    settings = Settings(
        database_url=kdc_database_url,
        instance_path=tmp_path,
        jobs={"counting": {"schedule": "off", "source": "csv"}},
    )
    kdc = Kdc(settings, make_plugin_manager(settings, [("counting", counting)]))
    kdc.upgrade_schema()
    try:
        assert [o.job for o in runner.run_due(kdc) if o.job == "counting"] == []
        assert runner.run(kdc, "counting").status == "ok"
        assert counting.configs == [{"source": "csv"}]
    finally:
        kdc.dispose()


@pytest.mark.parametrize(
    ("jobs", "key"),
    [
        ({"countng": {}}, "jobs.countng"),
        ({"counting": {"schedule": "every day"}}, "jobs.counting.schedule"),
        ({"counting": {"schedule": "61 * * * *"}}, "jobs.counting.schedule"),
        ({"counting": {"sauce": "csv"}}, "jobs.counting.sauce"),
    ],
)
def test_a_wrong_jobs_table_names_its_key(tmp_path: Path, counting, jobs, key):
    """Checked as kdc starts, before any command runs."""
    settings = Settings(database_url="sqlite://", instance_path=tmp_path, jobs=jobs)
    with pytest.raises(ConfigError) as caught:
        Kdc(settings, make_plugin_manager(settings, [("counting", counting)]))
    assert caught.value.key == key


def test_the_worker_runs_due_jobs_and_stops(kdc_run, counting):
    result = kdc_run("worker", "--max-loops", "1", "--interval", "1")
    assert result.exit_code == 0, result.output
    assert "counting: ok" in result.output and "Worker stopped." in result.output
    assert counting.runs == 1
