"""``kdc newsletter build|send`` and ``kdc briefing post|send``."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kdc_core import hookimpl
from kdc_core.app import Kdc
from kdc_core.cli import KdcGroup, echo_json, pass_kdc
from kdc_core.config import Settings
from kdc_core.errors import KdcError
from kdc_core.newsletter.values import Month, NewsletterConfig

if TYPE_CHECKING:
    from kdc_core.protocol.rules import Rule

OVERRIDE_HELP = "Go ahead despite an error-level protocol finding; the reason is recorded."


def _protocol_warnings(kdc: Kdc, briefing_id: int) -> None:
    """Print the briefing's open protocol findings (8.1, 9.1 …) on stderr."""
    from kdc_core.protocol.commands import finding_line
    from kdc_core.protocol.service import open_findings

    with kdc.unit_of_work(source="briefing", dry_run=True) as uow:
        found = open_findings(uow, "briefing", briefing_id)
    for r in found:
        click.echo(finding_line(r), err=True)


def _month(_ctx: click.Context, _param: click.Parameter, value: str) -> Month:
    try:
        return Month.parse(value)
    except KdcError as exc:
        raise click.BadParameter(str(exc)) from None


@click.group("newsletter", cls=KdcGroup)
def newsletter_group() -> None:
    """Monthly ward newsletters: build them to files, or send them."""


@newsletter_group.command("build")
@click.option("--month", required=True, callback=_month, help="The month, YYYY-MM.")
@click.option("--ward", help="Only this ward (name or slug).")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the .html, .txt and .eml files (one set per councillor).",
)
@pass_kdc
def build_cmd(kdc: Kdc, month: Month, ward: str | None, out: Path) -> None:
    """Build a month's issues, store them in the archive and write them to --out."""
    from kdc_core.newsletter.build import build_month

    with kdc.unit_of_work(source="newsletter") as uow:
        built = build_month(uow, kdc.sections, month, ward)
        out.mkdir(parents=True, exist_ok=True)
        for issue in built:
            stem = f"{month}-{_slug(issue.ward_name)}-{issue.recipient.councillor_id}"
            (out / f"{stem}.html").write_text(issue.html, encoding="utf-8")
            (out / f"{stem}.txt").write_text(issue.text, encoding="utf-8")
            (out / f"{stem}.eml").write_bytes(issue.eml)
    click.echo(f"Built {len(built)} issues for {month} in {out}.")


def _slug(name: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())


@newsletter_group.command("send")
@click.option("--month", required=True, callback=_month, help="The month, YYYY-MM.")
@click.option("--ward", help="Only this ward (name or slug).")
@click.option("--mailer", help="Mailer to use (default [plugins.newsletter] mailer, else smtp).")
@click.option("--dry-run", is_flag=True, help="List who would get an issue; send nothing.")
@pass_kdc
def send_cmd(kdc: Kdc, month: Month, ward: str | None, mailer: str | None, dry_run: bool) -> None:
    """Build and send a month's issues; anyone already sent this month's issue is skipped."""
    from kdc_core.newsletter.build import build_month
    from kdc_core.newsletter.delivery import pick_mailer, send_issues

    chosen = None if dry_run else pick_mailer(kdc, mailer)
    with kdc.unit_of_work(source="newsletter", dry_run=dry_run) as uow:
        built = build_month(uow, kdc.sections, month, ward)
    if chosen is None:
        for issue in built:
            click.echo(f"would send: {issue.recipient.name} <{issue.recipient.email}>")
        click.echo(f"Dry run: {len(built)} issues; nothing was sent or stored.")
        return
    report = send_issues(kdc, built, chosen)
    for line in report.sent:
        click.echo(f"sent: {line}")
    click.echo(
        f"Sent {len(report.sent)}; skipped {len(report.skipped)} (already sent or no email)."
    )


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
    from kdc_core.newsletter.delivery import pick_mailer

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


@hookimpl
def kdc_register_protocol_rules(register: Callable[[Rule], None]) -> None:
    """Rules 8.1 and 9.1, over the stored briefings as well as values handed to them."""
    from kdc_core.briefings.protocol import stored_briefing_rules

    for rule in stored_briefing_rules():
        register(rule)


@hookimpl
def kdc_check_config(settings: Settings) -> None:
    settings.plugin_config("newsletter", into=NewsletterConfig)


@hookimpl
def kdc_register_commands(cli: click.Group) -> None:
    cli.add_command(newsletter_group)
    cli.add_command(briefing_group)


@hookimpl
def kdc_blueprints(kdc: Kdc) -> list[object]:
    from kdc_core.newsletter.web import make_blueprint

    return [make_blueprint(kdc)]


@hookimpl
def kdc_admin_views(kdc: Kdc) -> list[object]:
    """The newsletter's admin pages (imported here so that only the web app loads them)."""
    from kdc_core.newsletter.admin import newsletter_admin_views

    return newsletter_admin_views(kdc)
