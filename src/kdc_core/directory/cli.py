"""``kdc directory sync``, ``runs`` and ``report``: the staff directory on the command line."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import click

from kdc_core.cli import KdcGroup, echo_json, pass_kdc
from kdc_core.directory.values import DirectoryRecord, OfficerDiff, SyncPlan
from kdc_core.timewords import govuk_date, plain_moment

# Loaded by the commands that need them, not by every ``kdc`` run that registers the group
# (the schema check brings in Alembic; the report and reminders, the mail modules).
if TYPE_CHECKING:
    from kdc_core.app import Kdc
    from kdc_core.directory.reminders import RemindersQueued
    from kdc_core.directory.report import FreshnessReport, ProfileIssue


def directory_group() -> click.Group:
    @click.group("directory", cls=KdcGroup)
    def directory() -> None:
        """Keep officers in step with the staff directory; report stale profiles."""

    directory.add_command(sync_cmd)
    directory.add_command(runs_cmd)
    directory.add_command(report_cmd)
    return directory


def actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # pragma: no cover - no user name on this system
        return "cli"


def _progress(records: Iterable[DirectoryRecord], show: bool) -> Iterator[DirectoryRecord]:
    if not show:
        yield from records
        return
    with click.progressbar(
        records, label="Reading the directory", file=sys.stderr, show_pos=True
    ) as bar:
        yield from bar


class _WriteBar:
    """A progress bar on stderr for the writes, made when the first rows are written."""

    def __init__(self, show: bool) -> None:
        self.show = show
        self.bar: Any = None

    def __call__(self, count: int, total: int) -> None:
        if not self.show:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Writing", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(count)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@click.command("sync", context_settings={"ignore_unknown_options": True})
@click.argument("source")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.option("--dry-run", is_flag=True, help="Print the full diff; write nothing.")
@click.option("--force", is_flag=True, help="Apply even if the mass-archive guard objects.")
@click.option("--push-wards", is_flag=True, help="Then write officers' wards back to the source.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_kdc
def sync_cmd(
    kdc: Kdc,
    source: str,
    args: tuple[str, ...],
    dry_run: bool,
    force: bool,
    push_wards: bool,
    as_json: bool,
) -> None:
    """Sync officers from a directory SOURCE (e.g. `kdc directory sync csv officers.csv`).

    Adds new people, updates only changed fields, archives leavers (never deletes) and
    reactivates returners, in one transaction. Refuses to archive more than
    directory.max_archive_share of the officers (default 10%) or to read zero records,
    unless --force. Only one sync runs at a time: another started meanwhile (here or on
    another host, or the directory_sync job) is refused and exits 1.
    """
    from kdc_core.db.migrate import require_schema
    from kdc_core.directory.engine import locked_sync, source_named

    require_schema(kdc.engine)
    found = source_named(kdc, source)
    if push_wards and found.push_wards is None:
        raise click.UsageError(f"the {source} source cannot write wards back")
    show = sys.stderr.isatty() and not as_json
    writing = _WriteBar(show)
    try:
        result = locked_sync(
            kdc,
            found,
            args,
            dry_run=dry_run,
            force=force,
            actor=actor(),
            reader=lambda records: _progress(records, show),
            progress=writing,
        )
    finally:
        writing.close()
    pushed = None
    if push_wards and not dry_run:
        from kdc_core.directory.push import push_wards as push

        pushed = push(kdc, found, args)
    if as_json:
        echo_json(plan_json(result.plan, dry_run) | {"run": result.run.id, "pushed": pushed})
        return
    click.echo(plan_text(result.plan, dry_run, full=dry_run), nl=False)
    if pushed is not None:
        click.echo(f"Wrote wards back for {pushed} officers.")


def _diff_json(d: OfficerDiff) -> dict[str, Any]:
    out: dict[str, Any] = {"person_id": d.person_id, "name": d.name, "fields": list(d.fields)}
    if d.before is not None:
        out["before"], out["after"] = d.before, d.after
    return out


def plan_json(plan: SyncPlan, dry_run: bool) -> dict[str, Any]:
    return {
        "source": plan.source,
        "dry_run": dry_run,
        "counts": plan.counts(),
        "changes": plan.changes,
        "added": [_diff_json(d) for d in plan.added],
        "updated": [_diff_json(d) for d in plan.updated],
        "archived": [_diff_json(d) for d in plan.archived],
        "reactivated": [_diff_json(d) for d in plan.reactivated],
        "new_services": list(plan.new_services),
        "new_directorates": list(plan.new_directorates),
        "problems": list(plan.problems),
    }


def plan_text(plan: SyncPlan, dry_run: bool, full: bool) -> str:
    lines = []
    if full:
        for label, diffs in (
            ("add", plan.added),
            ("update", plan.updated),
            ("archive", plan.archived),
            ("reactivate", plan.reactivated),
        ):
            for d in diffs:
                detail = ""
                if d.before is not None:
                    detail = " (" + "; ".join(
                        f"{f}: {d.before.get(f)!r} → {d.after.get(f)!r}" for f in d.before
                    )
                    rest = [f for f in d.fields if f not in d.before]
                    detail += (", " if d.before else "") + ", ".join(rest) + ")"
                elif d.fields and label == "reactivate":
                    detail = f" ({', '.join(d.fields)})"
                lines.append(f"  {label:<10} {d.person_id} {d.name}{detail}")
    for name in plan.new_directorates:
        lines.append(f"  new directorate: {name}")
    for name in plan.new_services:
        lines.append(f"  new service: {name}")
    for problem in plan.problems:
        lines.append(f"  warning: {problem}")
    c = plan.counts()
    verb = "Would make" if dry_run else "Made"
    lines.append(
        f"{plan.source}: read {c['records']} records. {verb} {plan.changes} changes: "
        f"{c['added']} added, {c['updated']} updated, {c['archived']} archived, "
        f"{c['reactivated']} reactivated; {c['unchanged']} unchanged; "
        f"{c['problems']} warnings."
    )
    if dry_run:
        lines.append("Dry run: nothing was written.")
    return "\n".join(lines) + "\n"


@click.command("runs")
@click.option("--limit", default=20, show_default=True, help="How many runs to show.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_kdc
def runs_cmd(kdc: Kdc, limit: int, as_json: bool) -> None:
    """List recent directory syncs: when, who, outcome and counts."""
    from kdc_core.directory.engine import recent_runs

    runs = recent_runs(kdc, limit)
    if as_json:
        echo_json(
            [
                {
                    "id": r.id,
                    "source": r.source,
                    "arguments": r.arguments,
                    "started_at": r.started_at.isoformat(),
                    "finished_at": r.finished_at.isoformat() if r.finished_at else None,
                    "outcome": r.outcome,
                    "actor": r.actor,
                    "records": r.records,
                    "added": r.added,
                    "updated": r.updated,
                    "archived": r.archived,
                    "reactivated": r.reactivated,
                    "unchanged": r.unchanged,
                    "problems": r.problems,
                    "message": r.message,
                }
                for r in runs
            ]
        )
        return
    for r in runs:
        click.echo(
            f"{plain_moment(r.started_at, kdc.settings.tz)} {r.source} {r.outcome} by {r.actor}: "
            f"{r.added} added, {r.updated} updated, {r.archived} archived, "
            f"{r.reactivated} reactivated"
        )


# -- kdc directory report ------------------------------------------------------------------------


def _issue_json(i: ProfileIssue) -> dict[str, Any]:
    return {
        "person_id": i.person_id,
        "name": i.name,
        "email": i.email,
        "service": i.service,
        "manager": i.manager_name,
        "manager_email": i.manager_email,
        "updated_at": i.updated_at.isoformat() if i.updated_at else None,
        "confirmed_at": i.confirmed_at.isoformat() if i.confirmed_at else None,
        "reasons": list(i.reasons),
    }


def report_json(report: FreshnessReport) -> dict[str, Any]:
    return {
        "generated_at": report.generated_at.isoformat(),
        "stale_before": report.stale_before.isoformat(),
        "counts": {
            "stale": len(report.stale),
            "incomplete": len(report.incomplete),
            "services_without_wards": len(report.services_without_wards),
            "wards_without_contacts": len(report.wards_without_contacts),
        },
        "stale": [_issue_json(i) for i in report.stale],
        "incomplete": [_issue_json(i) for i in report.incomplete],
        "services_without_wards": [
            {
                "service": g.service,
                "officers": g.officers,
                "without_wards": list(g.without_wards),
                "none_listed": g.none_listed,
            }
            for g in report.services_without_wards
        ],
        "wards_without_contacts": [
            {"ward": g.ward, "services": list(g.services)} for g in report.wards_without_contacts
        ],
    }


@click.command("report")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@click.option(
    "--remind",
    is_flag=True,
    help="Queue this month's reminders to stale officers and their managers (once a month).",
)
@click.option("--dry-run", is_flag=True, help="With --remind: say who would be reminded.")
@pass_kdc
def report_cmd(kdc: Kdc, as_json: bool, remind: bool, dry_run: bool) -> None:
    """Stale and incomplete officer profiles, and missing ward links.

    Stale means not updated for more than directory.stale_months (default 6) months. With
    --remind, each stale officer is queued a letter with what kdc holds about them and how
    to correct it, and each of their managers the team's list; each at most once a month.
    """
    from kdc_core.db.migrate import require_schema
    from kdc_core.directory.report import freshness_report

    require_schema(kdc.engine)
    with kdc.unit_of_work(source="cli", dry_run=True) as uow:
        report = freshness_report(uow.session, kdc.settings.directory.stale_months)
    reminded = []
    if remind:
        from kdc_core.directory.plugin import remind as send_reminders

        reminded = send_reminders(kdc, report, dry_run=dry_run)
    if as_json:
        echo_json(
            report_json(report)
            | ({"reminders": [reminders_json(r) for r in reminded]} if remind else {})
        )
        return
    since = govuk_date(report.stale_before, kdc.settings.tz)
    click.echo(f"Stale profiles (not updated or confirmed since {since}):")
    for i in report.stale:
        click.echo(
            f"  {i.person_id} {i.name} ({i.service or 'no service'}): {', '.join(i.reasons)}"
        )
    click.echo("Incomplete profiles:")
    for i in report.incomplete:
        click.echo(f"  {i.person_id} {i.name}: {', '.join(i.reasons)}")
    click.echo("Ward-facing services with officers who list no ward:")
    for g in report.services_without_wards:
        click.echo(f"  {g.service}: {len(g.without_wards)} of {g.officers} officers")
    click.echo("Wards without a named contact for a ward-facing service:")
    for w in report.wards_without_contacts:
        click.echo(f"  {w.ward}: {', '.join(w.services)}")
    click.echo(
        f"{len(report.stale)} stale, {len(report.incomplete)} incomplete, "
        f"{len(report.services_without_wards)} services and "
        f"{len(report.wards_without_contacts)} wards with gaps."
    )
    for r in reminded:
        click.echo(reminders_line(r))


def reminders_json(r: RemindersQueued) -> dict[str, Any]:
    return {
        "channel": r.channel,
        "month": r.month,
        "dry_run": r.dry_run,
        "officers": list(r.officers),
        "managers": list(r.managers),
        "already": r.already,
        "no_email": list(r.no_email),
    }


def reminders_line(r: RemindersQueued) -> str:
    """What was queued, honestly: queued is not sent."""
    verb = "Would queue" if r.dry_run else "Queued"
    tail = "" if r.dry_run else " They go when the outbox is dispatched."
    return (
        f"{verb} reminders for {r.month} ({r.channel}): {len(r.officers)} officers, "
        f"{len(r.managers)} managers; {r.already} already queued this month; "
        f"{len(r.no_email)} stale officers have no email address.{tail}"
    )
