"""``kdc enquiries list``, ``dashboard``, ``categories`` and ``category-set``: the work
queues, the SLA figures and the categories that set every enquiry's timescales. Registered on
the ``kdc enquiries`` group by :mod:`kdc_core.enquiries.cli`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs
import click

from kdc_core.app import Kdc
from kdc_core.cli import echo_json, fail, pass_kdc
from kdc_core.enquiries.backends import kept_here
from kdc_core.enquiries.queries import DUE_SOON_DAYS, QUEUES
from kdc_core.enquiries.service import EnquiryError


def day(_c: click.Context, _p: click.Parameter, value: str | None) -> dt.date | None:
    """A click callback: an ISO date option as a date."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2027-01-31") from None


@click.command("dashboard")
@click.option("--by", type=click.Choice(["service", "ward", "officer"]), default="service")
@click.option("--today", callback=day, help="Count as of this date (default today).")
@click.option("--rebuild", is_flag=True, help="Recount the summary from the enquiries first.")
@click.option("--check", is_flag=True, help="Compare the summary with a recount; exit 1 if off.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_kdc
def dashboard_cmd(
    kdc: Kdc, by: str, today: dt.date | None, rebuild: bool, check: bool, as_json: bool
) -> None:
    """The SLA dashboard's figures: open, due soon, overdue, answered in time.

    They come from a summary kept with every change made through kdc. After writing
    enquiries by SQL (a bulk load, a hand-made fix), run with --rebuild: it recounts the
    summary from the enquiries in one transaction."""
    from kdc_core.db import enquiry_counts
    from kdc_core.enquiries.dashboard import due_until, sla

    today = today or dt.datetime.now(kdc.settings.tz).date()
    if rebuild:
        with kdc.unit_of_work(source="enquiries dashboard") as uow:
            rows = enquiry_counts.rebuild(uow.session)
        click.echo(f"Rebuilt the dashboard summary: {rows} rows.", err=as_json)
    with kdc.unit_of_work(dry_run=True) as uow:
        if check and enquiry_counts.stored(uow.session) != enquiry_counts.recount(uow.session):
            fail("the dashboard summary differs from a recount: run with --rebuild")
        lines = sla(uow, today, by)
    if as_json:
        echo_json(
            {"today": today, "due_until": due_until(today), "by": by,
             "lines": [attrs.asdict(line) for line in lines]}
        )  # fmt: skip
        return
    click.echo(f"On {today} (due soon: by {due_until(today)}), by {by}:")
    for line in lines:
        rate = "-" if line.percent_in_time is None else f"{line.percent_in_time:.0f}%"
        click.echo(
            f"  {line.name}: {line.open} open, {line.due} due soon, {line.overdue} overdue; "
            f"{line.answered} answered, {rate} in time"
        )


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@click.command("list")
@click.option("--queue", type=click.Choice(QUEUES), help="Only this work queue.")
@click.option("--councillor", help="Raised or joined by this councillor (name or id).")
@click.option("--officer", help="Named on or joined by this officer (name, person id or id).")
@click.option("--ward", help="Only this ward (name, slug or id).")
@click.option("--service", help="Only this service (name, slug or id).")
@click.option("--status", help="Only this status (received, in_progress, … or open).")
@click.option("--days", type=click.IntRange(min=0), default=DUE_SOON_DAYS, show_default=True,
              help="For --queue due-soon: due within this many working days.")  # fmt: skip
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_kdc
def list_cmd(
    kdc: Kdc,
    queue: str | None,
    councillor: str | None,
    officer: str | None,
    ward: str | None,
    service: str | None,
    status: str | None,
    days: int,
    limit: int,
    as_json: bool,
) -> None:
    """List enquiries: a work queue, or a councillor's, officer's, ward's or service's cases."""
    from kdc_core.enquiries.queries import list_enquiries

    if not kept_here(kdc):
        raise EnquiryError("enquiries are kept by the external casework system: list them there")
    with kdc.unit_of_work(source="enquiries list", dry_run=True) as uow:
        lines = list_enquiries(
            uow,
            queue=queue,
            councillor=councillor,
            officer=officer,
            ward=ward,
            service=service,
            status=status,
            days=days,
            limit=limit,
        )
    if as_json:
        echo_json({"queue": queue, "enquiries": [line.to_json() for line in lines]})
        return
    if not lines:
        click.echo("No enquiries match.")
        return
    header = ("Reference", "Received", "Respond by", "Status", "Councillor", "Ward", "Officer",
              "Description")  # fmt: skip
    rows = [header] + [
        (
            line.enquiry.reference,
            f"{line.received:%d/%m/%Y}",
            f"{line.enquiry.respond_by:%d/%m/%Y}" + (" LATE" if line.overdue else ""),
            line.enquiry.status.label,
            ", ".join(line.enquiry.councillors),
            line.enquiry.ward or "",
            line.enquiry.officer or "unassigned",
            _short(line.enquiry.description),
        )
        for line in lines
    ]
    click.echo("\n".join(_table(rows)))
    click.echo(f"{len(lines)} enquir{'y' if len(lines) == 1 else 'ies'}")


@click.command("categories")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_kdc
def categories_cmd(kdc: Kdc, as_json: bool) -> None:
    """The enquiry categories with their timescales, default service and retention."""
    from kdc_core.enquiries.categories import list_categories

    with kdc.unit_of_work(source="enquiries categories", dry_run=True) as uow:
        found = list_categories(uow)
    if as_json:
        echo_json({"categories": [c.to_json() for c in found]})
        return
    header = ("Category", "Acknowledge", "Respond", "Default service", "Keep (days)",
              "Reopen (days)", "Active")  # fmt: skip
    rows = [header] + [
        (
            c.name,
            f"{c.acknowledge_days} working days",
            f"{c.respond_days} working days",
            c.service or "none",
            str(c.retention_days),
            str(c.follow_up_days),
            "yes" if c.active else "no",
        )
        for c in found
    ]
    click.echo("\n".join(_table(rows)))


@click.command("category-set")
@click.argument("name")
@click.option("--acknowledge", "acknowledge_days", type=int, required=True,
              help="Working days to acknowledge an enquiry.")  # fmt: skip
@click.option("--respond", "respond_days", type=int, required=True,
              help="Working days to respond (not fewer than --acknowledge).")  # fmt: skip
@click.option("--service", help="Default service (name, slug or id) when an enquiry gives none.")
@click.option("--no-service", is_flag=True, help="Remove the default service.")
@click.option("--retention-days", type=int, help="Days a finished enquiry is kept (730).")
@click.option("--follow-up-days", type=int, help="Days in which it may be reopened (28).")
@click.option("--active/--inactive", default=None, help="Whether new enquiries may use it.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_kdc
def category_set_cmd(
    kdc: Kdc,
    name: str,
    acknowledge_days: int,
    respond_days: int,
    service: str | None,
    no_service: bool,
    retention_days: int | None,
    follow_up_days: int | None,
    active: bool | None,
    as_json: bool,
) -> None:
    """Create the category NAME or change its settings (what is not given is kept)."""
    from kdc_core.enquiries.categories import set_category

    if service and no_service:
        raise click.UsageError("give --service or --no-service, not both")
    with kdc.unit_of_work(source="enquiries category-set") as uow:
        saved, created = set_category(
            uow,
            name,
            acknowledge_days=acknowledge_days,
            respond_days=respond_days,
            service=service,
            retention_days=retention_days,
            follow_up_days=follow_up_days,
            active=active,
            clear_service=no_service,
        )
    if as_json:
        echo_json({"created": created, "category": saved.to_json()})
        return
    click.echo(
        f"{'Created' if created else 'Updated'} {saved.name}: acknowledge in "
        f"{saved.acknowledge_days} working days, respond in {saved.respond_days}; default "
        f"service {saved.service or 'none'}; kept {saved.retention_days} days; "
        f"{'active' if saved.active else 'inactive (not offered for new enquiries)'}."
    )


COMMANDS = (list_cmd, dashboard_cmd, categories_cmd, category_set_cmd)
