"""The directory feature's hook implementations: ``kdc directory``, the built-in freshness
reminders, and the jobs ``directory_sync`` and ``directory_reminders``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import click

from kdc_core import hookimpl
from kdc_core.cli_listing import lazy
from kdc_core.errors import ConfigError
from kdc_core.jobs.values import Job, JobContext

if TYPE_CHECKING:
    from kdc_core.app import Kdc
    from kdc_core.directory.reminders import RemindersQueued
    from kdc_core.directory.report import FreshnessReport


@hookimpl
def kdc_register_commands(cli: click.Group) -> None:
    cli.add_command(lazy(__name__, "directory", "kdc_core.directory.cli:directory_group"))


@hookimpl
def kdc_directory_reminders(
    report: FreshnessReport, kdc: Kdc, month: str, dry_run: bool
) -> RemindersQueued:
    """Queue the month's reminder letters to stale officers and their managers (outbox)."""
    from kdc_core.directory.reminders import queue_reminders

    return queue_reminders(kdc, report, month=month, dry_run=dry_run)


def remind(
    kdc: Kdc, report: FreshnessReport | None = None, *, dry_run: bool = False
) -> list[RemindersQueued]:
    """Hand the freshness report (built now unless given) to every
    ``kdc_directory_reminders``; returns what each queued."""
    from kdc_core.directory.reminders import month_of
    from kdc_core.directory.report import freshness_report

    if report is None:
        with kdc.unit_of_work(source="directory", dry_run=True) as uow:
            report = freshness_report(uow.session, kdc.settings.directory.stale_months)
    month = month_of(report.generated_at, kdc.settings.tz)
    return kdc.hook.kdc_directory_reminders(report=report, kdc=kdc, month=month, dry_run=dry_run)


def reminders_job(context: JobContext) -> Mapping[str, Any]:
    """Queue this month's directory reminders (each person at most once a month)."""
    results = remind(context.kdc, dry_run=context.dry_run)
    return {
        "officers": sum(len(r.officers) for r in results),
        "managers": sum(len(r.managers) for r in results),
        "already": sum(r.already for r in results),
        "no_email": sum(len(r.no_email) for r in results),
    }


def sync_job(context: JobContext) -> Mapping[str, Any]:
    """Sync the officers from ``[jobs.directory_sync] source`` (with ``args``). The runner
    holds the ``directory_sync`` lock, the one ``kdc directory sync`` takes."""
    from kdc_core.directory.engine import run_sync, source_named

    name = context.config.get("source")
    if not isinstance(name, str) or not name:
        raise ConfigError(
            "jobs.directory_sync.source: name the directory source to sync from "
            '(source = "csv", args = ["/data/officers.csv"])',
            key="jobs.directory_sync.source",
        )
    args = context.config.get("args", [])
    if isinstance(args, str):
        args = args.split()
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        raise ConfigError(
            "jobs.directory_sync.args must be a list of strings", key="jobs.directory_sync.args"
        )
    result = run_sync(
        context.kdc,
        source_named(context.kdc, name),
        tuple(args),
        dry_run=context.dry_run,
        actor="job:directory_sync",
    )
    return result.plan.counts() | {"changes": result.plan.changes}


@hookimpl
def kdc_register_jobs(register: Callable[[Job], None]) -> None:
    """``directory_reminders`` monthly; ``directory_sync`` only when kdc.toml schedules it."""
    register(
        Job(
            name="directory_reminders",
            help="Remind officers with stale directory profiles, and their managers.",
            run=reminders_job,
            schedule="0 9 1 * *",
        )
    )
    register(
        Job(
            name="directory_sync",
            help="Sync officers from the staff directory ([jobs.directory_sync] source, args).",
            run=sync_job,
            schedule=None,
            options=("source", "args"),
        )
    )
