"""``kdc jobs list|run|run-due|history`` and ``kdc worker``."""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
from typing import Any

import click
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from kdc_core import failures, logs
from kdc_core.app import Kdc
from kdc_core.cli import echo_json, pass_kdc
from kdc_core.jobs import runner
from kdc_core.jobs.runner import Outcome, RunRecord
from kdc_core.timewords import plain_moment

log = logging.getLogger(__name__)


def _record(record: RunRecord | None) -> dict[str, Any] | None:
    if record is None:
        return None
    return {
        "id": record.id,
        "trigger": record.trigger,
        "host": record.host,
        "started_at": record.started_at.isoformat(),
        "finished_at": record.finished_at.isoformat() if record.finished_at else None,
        "seconds": record.seconds,
        "status": record.status,
        "summary": record.summary,
        "error": record.error,
    }


def _outcome_line(kdc: Kdc, outcome: Outcome) -> str:
    if outcome.status in ("ok", "failed") and outcome.record is not None:
        counts = ", ".join(f"{k} {v}" for k, v in outcome.record.summary.items()) or "no counts"
        took = f"{outcome.record.seconds:.1f}s" if outcome.record.seconds is not None else ""
        tail = f": {outcome.message}" if outcome.status == "failed" else ""
        return f"{outcome.job}: {outcome.status} in {took} ({counts}){tail}"
    if outcome.status == "busy":
        return f"{outcome.job}: not run: {outcome.message}"
    return f"{outcome.job}: not due"


@click.group("jobs")
def jobs_group() -> None:
    """Scheduled jobs: what they are, when they ran, and running them."""


@jobs_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_kdc
def list_cmd(kdc: Kdc, as_json: bool) -> None:
    """Every job: its schedule, last run and result, and when it is next due."""
    items = runner.statuses(kdc)
    if as_json:
        echo_json(
            [
                {
                    "name": s.job.name,
                    "help": s.job.help,
                    "schedule": s.schedule.expression,
                    "running": s.running,
                    "last_run": _record(s.last),
                    "last_ok": _record(s.last_ok),
                    "next_due": s.next_due.isoformat() if s.next_due else None,
                }
                for s in items
            ]
        )
        return
    now, tz = dt.datetime.now(dt.UTC), kdc.settings.tz
    for s in items:
        schedule = s.schedule.expression or "not scheduled"
        if s.last is None:
            last = "never run"
        else:
            last = f"last {plain_moment(s.last.started_at, tz)}: {s.last.status}"
        if s.running:
            due = "running now"
        elif s.next_due is None:
            due = "run by hand only"
        elif s.next_due <= now:
            due = "due now"
        else:
            due = f"next {plain_moment(s.next_due, tz)}"
        click.echo(f"{s.job.name:<22} {schedule:<16} {last}; {due}")
        click.echo(f"{'':<22} {s.job.help}")


@jobs_group.command("run")
@click.argument("name")
@click.option("--dry-run", is_flag=True, help="Run without writing or sending anything.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_kdc
def run_cmd(kdc: Kdc, name: str, dry_run: bool, as_json: bool) -> None:
    """Run one job now (unless another host is running it); exit 1 if it fails or is busy."""
    echo = (lambda _line: None) if as_json else click.echo
    outcome = runner.run(kdc, name, dry_run=dry_run, echo=echo)
    if as_json:
        echo_json({"job": name, "status": outcome.status, "run": _record(outcome.record)})
    else:
        click.echo(_outcome_line(kdc, outcome))
    if outcome.status != "ok":
        raise SystemExit(1)


@jobs_group.command("run-due")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_kdc
def run_due_cmd(kdc: Kdc, as_json: bool) -> None:
    """Run every job that is due; safe to start from cron on any number of hosts at once."""
    echo = (lambda _line: None) if as_json else click.echo
    outcomes = runner.run_due(kdc, echo=echo)
    if as_json:
        echo_json([{"job": o.job, "status": o.status, "run": _record(o.record)} for o in outcomes])
    else:
        ran = [o for o in outcomes if o.status != "not-due"]
        for outcome in ran:
            click.echo(_outcome_line(kdc, outcome))
        if not ran:
            click.echo("No job was due.")
    if any(o.status == "failed" for o in outcomes):
        raise SystemExit(1)


@jobs_group.command("history")
@click.argument("name", required=False)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_kdc
def history_cmd(kdc: Kdc, name: str | None, limit: int, as_json: bool) -> None:
    """The jobs log: the latest runs (of one job, if named), newest first."""
    records = runner.history(kdc, name, limit)
    if as_json:
        echo_json([{"job": r.job, **(_record(r) or {})} for r in records])
        return
    if not records:
        click.echo("No job has run yet.")
    for r in records:
        took = f"{r.seconds:.1f}s" if r.seconds is not None else "-"
        counts = ", ".join(f"{k} {v}" for k, v in r.summary.items())
        click.echo(
            f"{plain_moment(r.started_at, kdc.settings.tz)}  {r.job:<22} {r.status:<9} {took:>7}"
            f"  {r.trigger}"
            f"  {r.host}  {counts}{'  ' + r.error if r.error else ''}"
        )


@click.command("worker")
@click.option(
    "--interval",
    default=30,
    show_default=True,
    type=click.IntRange(1, 3600),
    help="Seconds between looks for due jobs.",
)
@click.option("--max-loops", type=click.IntRange(1), help="Stop after this many looks.")
@pass_kdc
def worker_cmd(kdc: Kdc, interval: int, max_loops: int | None) -> None:
    """Run due jobs (the outbox dispatch among them) until stopped (SIGTERM or Ctrl-C).

    While the database is away (stopped, restarting, refusing the login, locked) the worker
    logs a warning each look and carries on once it is back."""
    logs.serving()
    stop = threading.Event()

    def _stop(_signum: int, _frame: Any) -> None:
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop)
    click.echo(f"Worker started: looking for due jobs every {interval}s.")
    loops = 0
    try:
        while not stop.is_set():
            try:
                for outcome in runner.run_due(kdc):
                    if outcome.status != "not-due":
                        click.echo(_outcome_line(kdc, outcome))
            except (DBAPIError, PoolTimeout) as exc:
                reason = failures.explain(exc, kdc.settings.database_url)
                if reason is None:
                    raise
                log.warning(
                    "no jobs run: %s; looking again in %d s",
                    reason,
                    interval,
                    extra={"outcome": "database-unavailable"},
                )
            loops += 1
            if max_loops is not None and loops >= max_loops:
                break
            stop.wait(interval)
    except KeyboardInterrupt:
        pass
    click.echo("Worker stopped.")
