"""``kdc briefing post|send``: ward briefings on the command line."""

from __future__ import annotations

import datetime as dt
import sys

import click

from kdc_core.app import Kdc
from kdc_core.cli import KdcGroup, echo_json, pass_kdc

OVERRIDE_HELP = "Go ahead despite an error-level protocol finding; the reason is recorded."


def _protocol_warnings(kdc: Kdc, briefing_id: int) -> None:
    """Print the briefing's open protocol findings (8.1, 9.1 …) on stderr."""
    from kdc_core.protocol.cli import finding_line
    from kdc_core.protocol.service import open_findings

    with kdc.unit_of_work(source="briefing", dry_run=True) as uow:
        found = open_findings(uow, "briefing", briefing_id)
    for r in found:
        click.echo(finding_line(r), err=True)


@click.group("briefing", cls=KdcGroup)
def briefing_group() -> None:
    """Ward briefings: post one, send them to ward councillors before they are public."""


@briefing_group.command("post")
@click.option("--ward", "wards", multiple=True, required=True, help="A ward (repeatable).")
@click.option("--title", required=True)
@click.option("--body", required=True, help="The text; '-' reads it from stdin.")
@click.option("--public-on", required=True, type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--service", help="The service posting it (name or slug).")
@click.option("--significant", is_flag=True, help="Goes to every political group (9.1).")
@click.option("--topic", default="briefings", show_default=True, help="Menu topic.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@click.option("--override", "reason", help=OVERRIDE_HELP)
@pass_kdc
def post_cmd(
    kdc: Kdc,
    wards: tuple[str, ...],
    title: str,
    body: str,
    public_on: dt.datetime,
    service: str | None,
    significant: bool,
    topic: str,
    as_json: bool,
    reason: str | None,
) -> None:
    """Post a briefing; warns when it is late against protocol 8.1."""
    from kdc_core.briefings.service import post_briefing
    from kdc_core.protocol.service import override

    if body == "-":
        body = sys.stdin.read()
    with kdc.unit_of_work(source="briefing") as uow:
        override(uow, reason)
        b = post_briefing(
            uow,
            wards=wards,
            title=title,
            body=body,
            public_on=public_on.date(),
            service=service,
            significant=significant,
            topic=topic,
        )
    _protocol_warnings(kdc, b.id)
    if as_json:
        echo_json({"id": b.id, "title": b.title, "wards": list(b.wards), "late": b.late})
        return
    click.echo(f"Posted briefing {b.id}: {b.title} ({', '.join(b.wards)}).")


@briefing_group.command("send")
@click.argument("ids", nargs=-1, type=int)
@click.option("--mailer", help="Mailer to queue them for (default: [mail] mailer).")
@click.option(
    "--no-dispatch", is_flag=True, help="Only queue; the outbox_dispatch job sends them later."
)
@click.option("--dry-run", is_flag=True, help="Say what would be queued; queue nothing.")
@click.option("--override", "reason", help=OVERRIDE_HELP)
@pass_kdc
def send_briefings_cmd(
    kdc: Kdc,
    ids: tuple[int, ...],
    mailer: str | None,
    no_dispatch: bool,
    dry_run: bool,
    reason: str | None,
) -> None:
    """Queue briefings (IDS, else every one nothing was queued for yet, late ones too) for
    their wards' councillors, once each, then dispatch the outbox."""
    from kdc_core.briefings.sending import record_outcome, send_briefing, unsent_briefings
    from kdc_core.mail.outbox import installed_mailer
    from kdc_core.newsletter.cli import dispatch_now

    if not dry_run:
        installed_mailer(kdc, mailer)
    if not ids:
        with kdc.unit_of_work(source="briefing", dry_run=True) as uow:
            ids = tuple(unsent_briefings(uow))
    total = 0
    for briefing_id in ids:
        report = send_briefing(
            kdc, briefing_id, mailer=mailer, override_reason=reason, dry_run=dry_run
        )
        late = " (late)" if report.briefing.late else ""
        verb = "would queue" if dry_run else "queued"
        for line in report.queued:
            click.echo(f"briefing {briefing_id}{late}: {verb} {line}")
        for name in report.no_address:
            click.echo(f"briefing {briefing_id}: no email address for {name}")
        if report.already:
            click.echo(f"briefing {briefing_id}: {len(report.already)} already queued")
        total += len(report.queued)
    if dry_run:
        click.echo(f"Dry run: would queue {total} messages for {len(ids)} briefings.")
        return
    click.echo(
        f"Queued {total} messages for {len(ids)} briefings; they go when the outbox is dispatched."
    )
    if no_dispatch or not ids:
        return
    dispatch_now(kdc)
    for briefing_id in ids:
        record_outcome(kdc, briefing_id, reason)
        _protocol_warnings(kdc, briefing_id)
