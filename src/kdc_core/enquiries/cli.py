"""``kdc enquiries …``: casework on the command line."""

from __future__ import annotations

import collections
import datetime as dt
import getpass
from pathlib import Path
from typing import Any

import click

from kdc_core.app import Kdc
from kdc_core.cli import KdcGroup, echo_json, pass_kdc
from kdc_core.enquiries.backends import backend_for
from kdc_core.enquiries.casework_cli import COMMANDS
from kdc_core.enquiries.casework_cli import day as _date
from kdc_core.enquiries.legacy import FORMS, parse_received
from kdc_core.enquiries.service import EnquiryError
from kdc_core.enquiries.values import Constituent, Enquiry, NewEnquiry
from kdc_core.timewords import plain_date, plain_moment


def actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _received(kdc: Kdc, value: str | None) -> dt.datetime | None:
    """``--received-at`` as a person writes it; a time without an offset is council time."""
    if value is None:
        return None
    try:
        return parse_received(value, kdc.settings.tz)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date or time like {FORMS}", param_hint="'--received-at'"
        ) from None


def handler_line(e: Enquiry) -> str:
    if e.officer:
        return f"Named officer: {e.officer}"
    return "Named officer: none yet — in the liaison team's queue (unassigned)"


def told_line(e: Enquiry) -> str:
    """What the change's messages came to, honestly: queued (not sent), or nobody told."""
    if e.told is None:
        return "No message was queued here: this casework backend does not report its messages."
    return e.told.summary()


def describe(e: Enquiry, personal: bool = True) -> list[str]:
    lines = [
        f"{e.reference}  {e.status.value}",
        f"  Councillor(s): {', '.join(e.councillors)}",
        f"  Ward: {e.ward}   Service: {e.service}   Category: {e.category}",
        f"  {handler_line(e)}",
        f"  Acknowledge by: {e.acknowledge_by}",
        f"  Respond by: {e.respond_by}"
        + (f" (extension {e.extension_stage}: {e.extension_reason})" if e.extension_stage else ""),
        f"  {e.description}",
    ]
    if personal and e.constituent.name:
        lines.append(f"  Constituent: {e.constituent.name}")
    return lines


@click.group("enquiries", cls=KdcGroup)
def enquiries_group() -> None:
    """Casework: enquiries with references, due dates and a named officer."""


@enquiries_group.command("create")
@click.option("--councillor", "councillors", multiple=True, required=True,
              help="Councillor raising it, name or id (repeat for joint councillors).")  # fmt: skip
@click.option("--ward", required=True, help="Ward name or id.")
@click.option(
    "--category",
    required=True,
    help="Category (sets the timescales; `kdc enquiries categories` lists them).",
)
@click.option(
    "--service", default="", help="Service name or id (default: the category's default service)."
)
@click.option("--description", required=True, help="What the enquiry is about.")
@click.option(
    "--received-at",
    help="When it arrived: 02/11/2026 14:30 or 2026-11-02T14:30, council time unless an "
    "offset is given (default now).",
)
@click.option("--constituent", help="The constituent's name (personal data).")
@click.option("--advocacy", is_flag=True, help="The liaison team is handling it.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_kdc
def create_cmd(
    kdc: Kdc,
    councillors: tuple[str, ...],
    ward: str,
    category: str,
    service: str,
    description: str,
    received_at: str | None,
    constituent: str | None,
    advocacy: bool,
    as_json: bool,
) -> None:
    """Open an enquiry; prints its reference, named officer and due dates."""
    new = NewEnquiry(
        councillors=councillors,
        ward=ward,
        category=category,
        service=service,
        description=description,
        received_at=_received(kdc, received_at),
        constituent=Constituent(name=constituent),
        advocacy=advocacy,
    )
    made = backend_for(kdc).create(new, actor())
    if as_json:
        echo_json(made.to_json())
        return
    click.echo(f"Reference: {made.reference}")
    click.echo(handler_line(made))
    click.echo(f"Acknowledge by: {made.acknowledge_by}")
    click.echo(f"Respond by: {made.respond_by}")
    click.echo(told_line(made))
    for warning in made.warnings:
        click.echo(f"Warning: {warning}.")


@enquiries_group.command("show")
@click.argument("reference")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_kdc
def show_cmd(kdc: Kdc, reference: str, as_json: bool) -> None:
    """Show one enquiry with its notes and audit trail."""
    e = backend_for(kdc).get(reference)
    if as_json:
        echo_json(e.to_json())
        return
    click.echo("\n".join(describe(e)))
    for n in e.notes:
        click.echo(f"  Note {plain_moment(n.created_at, kdc.settings.tz)} {n.author}: {n.body}")
    for a in e.audit:
        change = f" {a.field}: {a.old} → {a.new}" if a.field else ""
        click.echo(f"  Audit {plain_moment(a.at, kdc.settings.tz)} {a.actor}: {a.action}{change}")


@enquiries_group.command("update")
@click.argument("reference")
@click.option("--status", required=True, help="New status (acknowledged, in_progress, …).")
@click.option("--note", help="A note to add with the change.")
@pass_kdc
def update_cmd(kdc: Kdc, reference: str, status: str, note: str | None) -> None:
    """Move an enquiry on (or reopen it inside the follow-up window)."""
    e = backend_for(kdc).update_status(reference, status, actor(), note)
    click.echo(f"{e.reference} is now {e.status.value}")
    click.echo(told_line(e))


@enquiries_group.command("extend")
@click.argument("reference")
@click.option("--reason", required=True, help="Why more time is needed.")
@click.option("--due", callback=_date, help="New response date (default: the timescale again).")
@pass_kdc
def extend_cmd(kdc: Kdc, reference: str, reason: str, due: dt.date | None) -> None:
    """Extend an enquiry's response date (two extensions at most)."""
    e = backend_for(kdc).extend(reference, reason, actor(), due)
    click.echo(f"{e.reference}: extension {e.extension_stage}, respond by {e.respond_by}")
    click.echo(told_line(e))


@enquiries_group.command("assign")
@click.argument("reference")
@click.option("--officer", required=True, help="The officer's name, person id or id.")
@click.option("--reason", help="Why it moves (kept as a note, told to everyone concerned).")
@pass_kdc
def assign_cmd(kdc: Kdc, reference: str, officer: str, reason: str | None) -> None:
    """Name the officer for an enquiry (first time, or instead of another)."""
    backend = backend_for(kdc)
    if not hasattr(backend, "assign"):
        raise EnquiryError("this casework backend cannot assign officers")
    e = backend.assign(reference, officer, actor(), reason)
    click.echo(f"{e.reference}: {handler_line(e)}")
    click.echo(told_line(e))


@enquiries_group.command("overdue")
@click.option("--by", type=click.Choice(["ward", "service", "officer"]), help="Count by …")
@click.option("--today", callback=_date, help="Count as of this date (default today).")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_kdc
def overdue_cmd(kdc: Kdc, by: str | None, today: dt.date | None, as_json: bool) -> None:
    """Open enquiries past their response date."""
    today = today or dt.datetime.now(kdc.settings.tz).date()
    found = backend_for(kdc).overdue(today)
    if by:
        counts = collections.Counter(
            getattr(e, by) or ("unassigned" if by == "officer" else "none") for e in found
        )
        rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        if as_json:
            echo_json({"today": today.isoformat(), "by": by, "counts": dict(rows)})
        else:
            for name, count in rows:
                click.echo(f"{count:6d}  {name}")
        return
    if as_json:
        echo_json({"today": today.isoformat(), "enquiries": [e.to_json() for e in found]})
        return
    for e in found:
        days = (today - e.respond_by).days
        who = e.officer or "unassigned"
        click.echo(f"{e.reference}  due {e.respond_by} ({days} days late)  {e.ward}  {who}")
    click.echo(f"{len(found)} overdue")


@enquiries_group.command("import")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_kdc
def import_cmd(kdc: Kdc, source: Path, dry_run: bool, as_json: bool) -> None:
    """Import the legacy system's CSV in one transaction (rows already imported are skipped)."""
    from kdc_core.enquiries.legacy import import_legacy

    with kdc.unit_of_work(source="enquiries import", dry_run=dry_run) as uow:
        report = import_legacy(uow, source)
    if as_json:
        echo_json(
            {
                "dry_run": dry_run,
                "created": [{"legacy": a, "reference": b} for a, b in report.created],
                "skipped": list(report.skipped),
                "warnings": list(report.warnings),
            }
        )
        return
    for warning in report.warnings:
        click.echo(f"Warning: {warning}.")
    verb = "would import" if dry_run else "imported"
    click.echo(f"{verb} {len(report.created)}, skipped {len(report.skipped)} already imported")


@enquiries_group.command("retention")
@click.option("--apply", "apply_", is_flag=True, help="Anonymise them (default: only list).")
@click.option("--today", callback=_date, help="Judge as of this date (default today).")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_kdc
def retention_cmd(kdc: Kdc, apply_: bool, today: dt.date | None, as_json: bool) -> None:
    """Finished enquiries past their category's retention period (counted from closure, or
    from resolution when never closed); --apply anonymises them."""
    from kdc_core.enquiries.retention import anonymise, due_for_anonymising

    now = dt.datetime.now(dt.UTC)
    if today is not None:
        now = dt.datetime.combine(today, dt.time(), kdc.settings.tz).astimezone(dt.UTC)
    with kdc.unit_of_work(source="enquiries retention", dry_run=not apply_) as uow:
        due = due_for_anonymising(uow, now)
        if apply_:
            anonymise(uow, due, actor(), now)
    if as_json:
        echo_json(
            {"applied": apply_, "anonymised" if apply_ else "due": [d.reference for d in due]}
        )
        return
    for d in due:
        click.echo(
            f"{d.reference}  {d.category}  {d.counted_from} {plain_date(d.since, kdc.settings.tz)}"
        )
    verb = "anonymised" if apply_ else "due for anonymising (run with --apply)"
    click.echo(f"{len(due)} {verb}")


@enquiries_group.command("digest")
@click.option("--week-of", callback=_date, help="Any day of the week (default: this week).")
@click.option("--dry-run", is_flag=True, help="Build and show the digests; queue nothing.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_kdc
def digest_cmd(kdc: Kdc, week_of: dt.date | None, dry_run: bool, as_json: bool) -> None:
    """Build each councillor's weekly enquiry digest and hand it to plugins; the built-in
    digest mailer queues one message per councillor (once a week, however often it runs)."""
    from kdc_core.enquiries.jobs import deliver_digests

    week_of = week_of or dt.datetime.now(kdc.settings.tz).date()
    run = deliver_digests(kdc, week_of, dry_run=dry_run)
    summary: list[dict[str, Any]] = [
        {
            "councillor": d.councillor,
            "open": len(d.open),
            "due_this_week": [e.reference for e in d.due_this_week],
            "overdue": [e.reference for e in d.overdue],
        }
        for d in run.digests
    ]
    if as_json:
        echo_json(
            {
                "week_start": run.week_start.isoformat(),
                "dry_run": dry_run,
                "digests": summary,
                "queued": run.queued,
                "already_queued": run.already,
                "mailer_configured": run.mailer_configured,
            }
        )
        return
    for line in summary:
        click.echo(
            f"{line['councillor']}: {line['open']} open, {len(line['due_this_week'])} due this "
            f"week, {len(line['overdue'])} overdue"
        )
    if dry_run:
        click.echo(f"Dry run: built {len(run.digests)} digests; nothing was handed on or queued.")
    else:
        click.echo(run.summary())


for _command in COMMANDS:
    enquiries_group.add_command(_command)
