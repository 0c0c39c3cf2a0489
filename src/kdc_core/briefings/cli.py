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
@click.option("--mailer", help="Mailer to use (default [plugins.newsletter] mailer, else smtp).")
@click.option("--override", "reason", help=OVERRIDE_HELP)
@pass_kdc
def send_briefings_cmd(
    kdc: Kdc, ids: tuple[int, ...], mailer: str | None, reason: str | None
) -> None:
    """Send briefings (IDS, else every one not yet public) to their wards' councillors, once."""
    from kdc_core.briefings.service import send_briefing, unsent_briefings
    from kdc_core.mail.delivery import pick_mailer

    chosen = pick_mailer(kdc, mailer)
    if not ids:
        with kdc.unit_of_work(source="briefing", dry_run=True) as uow:
            ids = tuple(unsent_briefings(uow, dt.date.today()))
    for briefing_id in ids:
        b, lines = send_briefing(kdc, briefing_id, chosen, override_reason=reason)
        for line in lines:
            click.echo(f"briefing {b.id}: sent {line}")
        _protocol_warnings(kdc, b.id)
    click.echo(f"Done: {len(ids)} briefings checked.")
