"""``kdc newsletter build|send``."""

from __future__ import annotations

from pathlib import Path

import click

from kdc_core.app import Kdc
from kdc_core.cli import KdcGroup, pass_kdc
from kdc_core.errors import KdcError
from kdc_core.newsletter.values import Month


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
    from kdc_core.mail.delivery import pick_mailer
    from kdc_core.newsletter.build import build_month
    from kdc_core.newsletter.delivery import send_issues

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
