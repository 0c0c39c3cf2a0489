"""``kdc calendar push``: councillors' events to a CalDAV server."""

from __future__ import annotations

import click

from kdc_caldav.config import load_config
from kdc_caldav.push import PushOutcome, push
from kdc_core.app import Kdc
from kdc_core.cli import echo_json, pass_kdc
from kdc_core.errors import KdcError


def _line(outcome: PushOutcome) -> str:
    verb = "would create" if outcome.dry_run else "created"
    parts = [
        f"{outcome.created} {verb}",
        f"{outcome.updated} updated",
        f"{outcome.deleted} removed",
        f"{outcome.unchanged} unchanged",
    ]
    made = " (new calendar)" if outcome.calendar_created else ""
    return f"Cllr {outcome.name}: {', '.join(parts)}{made} → {outcome.calendar_url}"


@click.command("push")
@click.option("--councillor", metavar="NAME", help="Push only this councillor's calendar.")
@click.option("--dry-run", is_flag=True, help="Compare with the server and report; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_kdc
def push_cmd(kdc: Kdc, councillor: str | None, dry_run: bool, as_json: bool) -> None:
    """Write each councillor's events into their calendar on the CalDAV server.

    Creates missing events, replaces changed ones (keeping kdc's SEQUENCE) and removes
    cancelled ones; a run with no changes sends no writes. Configure the server in
    [plugins.caldav] (see docs/plugins/caldav.md); the password comes from the environment.
    """
    config = load_config(kdc.settings)
    if config is None:
        raise KdcError(
            "CalDAV push is not configured: add a [plugins.caldav] section (url, username, "
            'password = {"$env" = "VARIABLE"}) to kdc.toml'
        )

    def progress(outcome: PushOutcome) -> None:
        if not as_json:
            click.echo(_line(outcome))

    outcomes = push(kdc, config, councillor, dry_run=dry_run, progress=progress)
    totals = {
        key: sum(getattr(o, key) for o in outcomes)
        for key in ("created", "updated", "deleted", "unchanged", "writes")
    }
    if as_json:
        echo_json(
            {
                "dry_run": dry_run,
                "calendars": [
                    {
                        "councillor": o.name,
                        "calendar_url": o.calendar_url,
                        "created": o.created,
                        "updated": o.updated,
                        "deleted": o.deleted,
                        "unchanged": o.unchanged,
                        "calendar_created": o.calendar_created,
                        "writes": o.writes,
                    }
                    for o in outcomes
                ],
                "totals": totals,
            }
        )
        return
    summary = (
        f"{len(outcomes)} calendars: {totals['created']} created, {totals['updated']} updated, "
        f"{totals['deleted']} removed, {totals['unchanged']} unchanged; "
        f"{totals['writes']} write requests sent."
    )
    click.echo(("Dry run: nothing was written. " if dry_run else "") + summary)
