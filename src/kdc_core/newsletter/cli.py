"""``kdc newsletter build|send``."""

from __future__ import annotations

from pathlib import Path

import click

from kdc_core.app import Kdc
from kdc_core.cli import KdcGroup, pass_kdc
from kdc_core.errors import KdcError
from kdc_core.newsletter.values import BuiltIssue, Month


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
    """Build a month's issues, store them in the archive and write them to --out.

    Files that already hold what an issue would write are left as they are."""
    from kdc_core.newsletter.build import build_month, wards
    from kdc_core.newsletter.files import HELPER_WARDS, IssueFiles

    with kdc.unit_of_work(source="newsletter") as uow:
        slugs: dict[int, str] = {}

        def stem(issue: BuiltIssue) -> str:
            slug = slugs.get(issue.ward_id)
            if slug is None:
                slug = slugs[issue.ward_id] = _slug(issue.ward_name)
            return f"{month}-{slug}-{issue.recipient.councillor_id}"

        # A build of many wards hands its files to a helper process as it goes.
        many = ward is None and len(wards(uow, None)) >= HELPER_WARDS
        with IssueFiles(out, helper=many) as files:
            built = build_month(
                uow, kdc.sections, month, ward, each=lambda b: files.add([stem(i) for i in b], b)
            )
    click.echo(f"Built {len(built)} issues for {month} in {out}.")


def _slug(name: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())


@newsletter_group.command("send")
@click.option("--month", required=True, callback=_month, help="The month, YYYY-MM.")
@click.option("--ward", help="Only this ward (name or slug).")
@click.option("--mailer", help="Mailer to queue them for (default: [mail] mailer).")
@click.option(
    "--no-dispatch", is_flag=True, help="Only queue; the outbox_dispatch job sends them later."
)
@click.option("--dry-run", is_flag=True, help="List who would be queued; queue nothing.")
@pass_kdc
def send_cmd(
    kdc: Kdc, month: Month, ward: str | None, mailer: str | None, no_dispatch: bool, dry_run: bool
) -> None:
    """Build a month's issues and queue them in the outbox, then dispatch the outbox.

    Each councillor's issue is queued once (key newsletter:WARD:MONTH:COUNCILLOR), however
    often this runs and on however many hosts at once; anyone whose issue is already queued
    or sent is left out.
    """
    from kdc_core.newsletter.delivery import queue_month

    report = queue_month(kdc, month, ward, mailer=mailer, dry_run=dry_run)
    for line in report.no_email:
        click.echo(f"no email address: {line}")
    if dry_run:
        for line in report.queued:
            click.echo(f"would queue: {line}")
        click.echo(
            f"Dry run: would queue {len(report.queued)} issues for {month}; "
            f"{len(report.already)} already queued; nothing was stored or queued."
        )
        return
    for line in report.queued:
        click.echo(f"queued: {line}")
    click.echo(
        f"Queued {len(report.queued)} issues for {month}; {len(report.already)} were already "
        f"queued; {len(report.no_email)} without an email address. They go when the outbox "
        "is dispatched."
    )
    if not no_dispatch:
        dispatch_now(kdc)


def dispatch_now(kdc: Kdc) -> None:
    """Dispatch the outbox and say what happened (it also sends anything else that is due)."""
    from kdc_core.mail.dispatch import dispatch

    result = dispatch(kdc)
    for line in result.stopped:
        click.echo(f"stopped using {line}", err=True)
    click.echo(
        f"Outbox dispatched: {result.sent} sent, {result.retrying} to retry later, "
        f"{result.failed} failed."
    )
