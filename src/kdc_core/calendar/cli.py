"""``kdc calendar clashes`` and ``kdc calendar open-day``: clash checks and open days."""

from __future__ import annotations

import datetime as dt
import textwrap
from typing import Any
from zoneinfo import ZoneInfo

import click

from kdc_core.app import Kdc
from kdc_core.calendar.clashes import Clash, ClashKind, group_clashes
from kdc_core.calendar.values import CalendarEvent, NewEvent
from kdc_core.cli import echo_json, pass_kdc
from kdc_core.errors import KdcError
from kdc_core.timewords import plain_span


def event_json(event: CalendarEvent | NewEvent) -> dict[str, Any]:
    return {
        "id": getattr(event, "id", None),
        "uid": getattr(event, "uid", None),
        "kind": event.kind.value,
        "title": event.title,
        "committee": event.committee,
        "start": event.start.astimezone(dt.UTC).isoformat(),
        "end": event.end.astimezone(dt.UTC).isoformat(),
        "location": event.location,
        "status": event.status.value,
        "public": event.public,
    }


def clash_json(clash: Clash) -> dict[str, Any]:
    start, end = clash.overlap
    return {
        "event": event_json(clash.event),
        "other": event_json(clash.other),
        "person": clash.person,
        "person_kind": clash.person_kind.value,
        "person_id": clash.person_id,
        "kind": clash.kind.value,
        "overlap": [start.astimezone(dt.UTC).isoformat(), end.astimezone(dt.UTC).isoformat()],
    }


def clash_lines(clashes: list[Clash] | tuple[Clash, ...], tz: ZoneInfo) -> list[str]:
    """Clashes grouped by pair of events: when and what, then who, by name."""
    lines = []
    for group in group_clashes(clashes):
        first = group[0]
        what = "council meeting" if first.kind == ClashKind.COUNCIL_MEETING else "event"
        lines.append(
            f"{plain_span(*first.overlap, tz)}  {first.event.title} clashes with {what} "
            f"{first.other.title} for {len(group)} {'person' if len(group) == 1 else 'people'}:"
        )
        # Wrap between names, never inside one.
        names = ", ".join(c.person_label.replace(" ", "\u00a0") for c in group)
        wrapped = textwrap.wrap(names, width=96, initial_indent="    ", subsequent_indent="    ")
        lines.extend(line.replace("\u00a0", " ") for line in wrapped)
    return lines


def _day_start(day: dt.datetime | None, tz: ZoneInfo) -> dt.datetime | None:
    return None if day is None else dt.datetime.combine(day.date(), dt.time(), tz)


@click.command("clashes")
@click.option(
    "--from",
    "from_day",
    type=click.DateTime(["%Y-%m-%d"]),
    help="First day to check [default: today]. Use --all for every event.",
)
@click.option("--to", "to_day", type=click.DateTime(["%Y-%m-%d"]), help="Last day to check.")
@click.option("--all", "all_days", is_flag=True, help="Check every event, past ones too.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_kdc
def clashes_cmd(
    kdc: Kdc,
    from_day: dt.datetime | None,
    to_day: dt.datetime | None,
    all_days: bool,
    as_json: bool,
) -> None:
    """List clashes: a person expected at two overlapping events.

    A clash is an invitee of one event who is invited to, or concerned by, another event at
    the same time; council meetings concern their committee's members, and full Council
    concerns every councillor. Cancelled events never clash. Days are the council's local
    days; --to is inclusive. Clashes are warnings: the command exits 0 whether or not it
    finds any (non-zero only when it cannot run).
    """
    from kdc_core.calendar.clashes import find_clashes
    from kdc_core.db.migrate import require_schema

    require_schema(kdc.engine)
    tz = kdc.settings.tz
    if from_day is None and not all_days:
        from_day = dt.datetime.now(tz).replace(tzinfo=None)
    start = _day_start(from_day, tz)
    end = _day_start(to_day + dt.timedelta(days=1), tz) if to_day else None
    if start and end and end <= start:
        raise KdcError(f"--to {to_day:%Y-%m-%d} is before --from {from_day:%Y-%m-%d}")
    with kdc.unit_of_work(source="cli:clashes", dry_run=True) as uow:
        clashes = find_clashes(uow, start, end)
    if as_json:
        echo_json(
            {
                "from": start.isoformat() if start else None,
                "to": end.isoformat() if end else None,
                "count": len(clashes),
                "clashes": [clash_json(c) for c in clashes],
            }
        )
        return
    span = f"from {start:%Y-%m-%d}" if start else "in all events"
    if to_day:
        span += f" to {to_day:%Y-%m-%d}"
    if not clashes:
        click.echo(f"No clashes {span}.")
        return
    click.echo("\n".join(clash_lines(clashes, tz)))
    click.echo(f"{len(clashes)} clash{'es' if len(clashes) != 1 else ''} {span} (one per person).")


def _when(text: str, tz: ZoneInfo, name: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not an ISO date and time (2027-09-14T10:00)", param_hint=name
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=tz)


@click.command("open-day")
@click.option("--service", required=True, help="The organising service (name or slug).")
@click.option(
    "--start", required=True, help="ISO date and time; local time unless it has an offset."
)
@click.option("--end", required=True, help="ISO date and time; local time unless it has an offset.")
@click.option("--location", required=True, help="Where it is.")
@click.option(
    "--ward", "wards", multiple=True, help="Invite only this ward's councillors (repeat)."
)
@click.option("--title", help="Defaults to '<service> open day'.")
@click.option("--public/--private", default=False, show_default=True, help="Show in public feeds.")
@click.option("--dry-run", is_flag=True, help="Show the invitations and clashes; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_kdc
def open_day_cmd(
    kdc: Kdc,
    service: str,
    start: str,
    end: str,
    location: str,
    wards: tuple[str, ...],
    title: str | None,
    public: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Declare a service open day and invite the councillors (all, or those of --ward).

    The open day is created even when it clashes; each clash is listed as a warning, by
    name, so the service can move the day or accept the clash.
    """
    from kdc_core.calendar.open_days import declare_open_day
    from kdc_core.db.migrate import require_schema
    from kdc_core.protocol.cli import finding_line, recorded_json
    from kdc_core.protocol.service import open_findings

    require_schema(kdc.engine)
    tz = kdc.settings.tz
    begins, ends = _when(start, tz, "--start"), _when(end, tz, "--end")
    if ends <= begins:
        raise click.BadParameter(f"{end} is not after {start}", param_hint="--end")
    with kdc.unit_of_work(source="cli:open-day", dry_run=dry_run) as uow:
        day = declare_open_day(
            uow, service, begins, ends, location, wards=wards or None, public=public, title=title
        )
        found = open_findings(uow, "event", day.event.id)
    event = day.event
    if as_json:
        echo_json(
            {
                "dry_run": dry_run,
                "event": event_json(event),
                "invited": len(event.councillor_ids),
                "clashes": [clash_json(c) for c in day.clashes],
                "protocol": [recorded_json(r) for r in found],
            }
        )
        return
    verb = "Would declare" if dry_run else "Declared"
    click.echo(
        f"{verb} {event.title}: {plain_span(event.start, event.end, tz)} at {event.location}; "
        f"{len(event.councillor_ids)} councillors invited."
    )
    if day.clashes:
        click.echo(f"Warning: {len(day.clashes)} clashes:")
        click.echo("\n".join(clash_lines(day.clashes, tz)))
    for r in found:
        click.echo(f"Protocol {finding_line(r)}")
    if dry_run:
        click.echo("Dry run: nothing was written.")
