"""Run jobs: one at a time across all hosts, each run logged, due runs exactly once.

``kdc jobs run-due`` may be started by cron on any number of hosts at the same moment. For
each job it takes the job's lock (see :mod:`kdc_core.jobs.locks`), then — holding it — reads
the job's last run from the jobs log: the job is due when its schedule fired after that run
started. So whichever host gets the lock first runs it, and the others find it busy or no
longer due. A run whose host died stays ``running`` in the log until the next run of the job
marks it ``abandoned``.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs
from sqlalchemy import func, insert, select, update

from kdc_core.db.base import utcnow
from kdc_core.db.jobs import JobRunRow
from kdc_core.errors import ConfigError, KdcError
from kdc_core.jobs import locks
from kdc_core.jobs.values import Job, JobContext, JobError, Schedule, schedule_for
from kdc_core.logs import scrub
from kdc_core.registry import Registry

if TYPE_CHECKING:
    from kdc_core.app import Kdc

log = logging.getLogger(__name__)


@attrs.frozen
class RunRecord:
    """One run from the jobs log."""

    id: int
    job: str
    trigger: str
    host: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: str
    summary: dict[str, Any]
    error: str | None

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    @classmethod
    def from_row(cls, row: JobRunRow) -> RunRecord:
        return cls(
            row.id,
            row.job,
            row.trigger,
            row.host,
            row.started_at,
            row.finished_at,
            row.status,
            dict(row.summary or {}),
            row.error,
        )


@attrs.frozen
class JobStatus:
    """A job as ``kdc jobs list`` and the admin show it.

    :ivar last_failed: its latest failed run (with the error), however long ago.
    """

    job: Job
    schedule: Schedule
    last: RunRecord | None
    last_ok: RunRecord | None
    next_due: dt.datetime | None
    running: bool
    last_failed: RunRecord | None = None


@attrs.frozen
class Outcome:
    """What asking for a run did: ran (with its log record), was busy, or was not due."""

    job: str
    status: str  # ok, failed, busy, not-due
    record: RunRecord | None = None
    message: str = ""


def jobs(kdc: Kdc) -> Registry[Job]:
    """Every registered job, its ``[jobs.NAME]`` table checked.

    :raises ConfigError: kdc.toml configures a job nobody registered, or a job's table is wrong.
    """
    registry = kdc.jobs
    unknown = sorted(set(kdc.settings.jobs) - set(registry.names()))
    if unknown:
        raise ConfigError(
            f"[jobs.{unknown[0]}]: no job has that name (jobs: {', '.join(registry.names())})",
            key=f"jobs.{unknown[0]}",
        )
    for job in registry.values():
        schedule_for(job, kdc.settings.jobs.get(job.name, {}))
    return registry


def schedule_of(kdc: Kdc, job: Job) -> Schedule:
    return schedule_for(job, kdc.settings.jobs.get(job.name, {}))


def statuses(kdc: Kdc, now: dt.datetime | None = None) -> list[JobStatus]:
    """Every job with its schedule, last run, last good and failed runs and when it is next
    due."""
    now = now or utcnow()
    out = []
    for job in jobs(kdc).values():
        schedule = schedule_of(kdc, job)
        last = _last_run(kdc, job.name)
        last_ok = _last_run(kdc, job.name, status="ok")
        out.append(
            JobStatus(
                job=job,
                schedule=schedule,
                last=last,
                last_ok=last_ok,
                next_due=_next_due(schedule, last, now, kdc.settings.tz),
                running=locks.is_held(kdc.engine, job.name),
                last_failed=_last_run(kdc, job.name, status="failed"),
            )
        )
    return out


def history(kdc: Kdc, job: str | None = None, limit: int = 50) -> list[RunRecord]:
    query = select(JobRunRow).order_by(JobRunRow.id.desc()).limit(limit)
    if job is not None:
        query = query.where(JobRunRow.job == job)
    with kdc.unit_of_work(source="jobs", dry_run=True) as uow:
        return [RunRecord.from_row(row) for row in uow.session.scalars(query)]


def run(
    kdc: Kdc,
    name: str,
    *,
    trigger: str = "manual",
    dry_run: bool = False,
    echo: Callable[[str], None] = lambda _line: None,
    only_if_due: bool = False,
    now: Callable[[], dt.datetime] = utcnow,
) -> Outcome:
    """Run the job ``name`` now, unless another host is running it.

    :param only_if_due: run only if its schedule fired since its last run started (checked
        while holding the lock).
    :raises JobError: no job has that name.
    """
    registry = jobs(kdc)
    if name not in registry:
        raise JobError(f"no job called {name!r} (jobs: {', '.join(registry.names())})")
    job = registry[name]
    me = locks.worker_name()
    try:
        with locks.hold(kdc.engine, name, me, job.lock_minutes):
            if only_if_due:
                schedule = schedule_of(kdc, job)
                due = _next_due(schedule, _last_run(kdc, name), now(), kdc.settings.tz)
                if due is None or due > now():
                    log.debug("job %s not due", name, extra={"job": name, "outcome": "not-due"})
                    return Outcome(name, "not-due")
            return _run_held(kdc, job, me, trigger, dry_run, echo, now)
    except locks.Busy as exc:
        log.info(
            "job %s not started: it is running elsewhere",
            name,
            extra={"job": name, "trigger": trigger, "outcome": "busy"},
        )
        return Outcome(name, "busy", message=exc.local(kdc.settings.tz))


def run_due(
    kdc: Kdc,
    *,
    echo: Callable[[str], None] = lambda _line: None,
    now: Callable[[], dt.datetime] = utcnow,
) -> list[Outcome]:
    """Run every job whose schedule has fired since its last run, each at most once."""
    outcomes = []
    for job in jobs(kdc).values():
        if schedule_of(kdc, job).expression is None:
            continue
        outcome = run(kdc, job.name, trigger="schedule", echo=echo, only_if_due=True, now=now)
        outcomes.append(outcome)
    return outcomes


def _run_held(
    kdc: Kdc,
    job: Job,
    me: str,
    trigger: str,
    dry_run: bool,
    echo: Callable[[str], None],
    now: Callable[[], dt.datetime],
) -> Outcome:
    host = me.rsplit(":", 2)[0]
    with kdc.engine.begin() as conn:
        # Runs left "running" by a host that died: we hold the lock, so none is really running.
        conn.execute(
            update(JobRunRow)
            .where(JobRunRow.job == job.name, JobRunRow.status == "running")
            .values(status="abandoned", finished_at=now())
        )
        run_id = conn.scalar(
            insert(JobRunRow)
            .values(
                job=job.name,
                trigger=trigger + (" (dry run)" if dry_run else ""),
                host=host,
                started_at=now(),
                status="running",
                summary={},
            )
            .returning(JobRunRow.id)
        )
    config = {k: v for k, v in kdc.settings.jobs.get(job.name, {}).items() if k != "schedule"}
    context = JobContext(kdc=kdc, dry_run=dry_run, config=config, echo=echo, now=now)
    started = time.perf_counter()
    fields = {"job": job.name, "run_id": run_id, "trigger": trigger, "dry_run": dry_run}
    log.info("job %s started (%s)", job.name, trigger, extra=fields)
    status, error, summary = "ok", None, {}
    try:
        summary = dict(job.run(context) or {})
    except KdcError as exc:
        status, error = "failed", str(exc)
    except Exception as exc:
        status, error = "failed", f"{type(exc).__name__}: {exc}"
        log.error("job %s raised %s", job.name, type(exc).__name__, exc_info=True, extra=fields)
    seconds = time.perf_counter() - started
    with kdc.engine.begin() as conn:
        conn.execute(
            update(JobRunRow)
            .where(JobRunRow.id == run_id)
            .values(
                status=status,
                finished_at=now(),
                summary=_jsonable(summary),
                error=error[:4000] if error else None,
            )
        )
    counts = _jsonable(summary)
    done = {**fields, "outcome": status, "duration_s": round(seconds, 3), "counts": counts}
    if status == "ok":
        log.info("job %s ok in %.2f s: %s", job.name, seconds, _described(counts), extra=done)
    else:
        reason = scrub(error)
        log.warning(
            "job %s failed after %.2f s: %s",
            job.name,
            seconds,
            reason,
            extra=done | {"error": reason},
        )
    with kdc.unit_of_work(source="jobs", dry_run=True) as uow:
        row = uow.session.get(JobRunRow, run_id)
        assert row is not None
        record = RunRecord.from_row(row)
    return Outcome(job.name, status, record, error or "")


def _described(counts: dict[str, Any]) -> str:
    return ", ".join(f"{key} {value}" for key, value in counts.items()) or "nothing to report"


def _jsonable(summary: dict[str, Any]) -> dict[str, Any]:
    return {
        str(k): v if isinstance(v, int | float | str | bool) else str(v) for k, v in summary.items()
    }


def _last_run(kdc: Kdc, name: str, status: str | None = None) -> RunRecord | None:
    query = select(JobRunRow).where(JobRunRow.job == name)
    if status is not None:
        query = query.where(JobRunRow.status == status)
    latest = select(func.max(JobRunRow.id)).where(JobRunRow.job == name)
    if status is not None:
        latest = latest.where(JobRunRow.status == status)
    with kdc.unit_of_work(source="jobs", dry_run=True) as uow:
        run_id = uow.session.scalar(latest)
        if run_id is None:
            return None
        row = uow.session.get(JobRunRow, run_id)
        return RunRecord.from_row(row) if row is not None else None


def _next_due(
    schedule: Schedule, last: RunRecord | None, now: dt.datetime, tz: dt.tzinfo
) -> dt.datetime | None:
    """When the job is next due: now (or earlier) if its schedule fired since its last run
    started — or it has never run —, else the schedule's next time."""
    fired = schedule.previous(now, tz)
    if fired is None:
        return None
    if last is None or last.started_at < fired:
        return fired
    return schedule.next(now, tz)
