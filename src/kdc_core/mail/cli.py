"""``kdc outbox list|dispatch|retry``: what was queued, sent and failed, and sending it."""

from __future__ import annotations

import sys

import click

from kdc_core.app import Kdc
from kdc_core.cli import echo_json, pass_kdc
from kdc_core.mail import outbox
from kdc_core.mail.dispatch import DispatchReport, dispatch
from kdc_core.timewords import plain_moment


@click.group("outbox")
def outbox_group() -> None:
    """Messages kdc has queued to send: list them, send them, retry failures."""


@outbox_group.command("list")
@click.option("--status", type=click.Choice(outbox.STATUSES), help="Only messages in this state.")
@click.option("--councillor", help="Only messages to this councillor (name).")
@click.option("--kind", help="Only messages of this kind (enquiry-created, newsletter …).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_kdc
def list_cmd(
    kdc: Kdc,
    status: str | None,
    councillor: str | None,
    kind: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """The newest messages, with how many are pending, sending, sent and failed."""
    with kdc.unit_of_work(source="outbox", dry_run=True) as uow:
        councillor_id = uow.people.find_councillor(councillor).id if councillor else None
        counts = outbox.counts(uow)
        items = outbox.messages(
            uow, status=status, councillor_id=councillor_id, kind=kind, limit=limit
        )
    if as_json:
        echo_json(
            {
                "counts": counts,
                "messages": [
                    {
                        "id": m.id,
                        "key": m.key,
                        "kind": m.kind,
                        "channel": m.channel,
                        "mailer": m.mailer,
                        "to": m.recipient_name,
                        "subject": m.subject,
                        "status": m.status,
                        "attempts": m.attempts,
                        "queued_at": m.created_at.isoformat(),
                        "sent_at": m.sent_at.isoformat() if m.sent_at else None,
                        "next_attempt_at": m.next_attempt_at.isoformat(),
                        "last_error": m.last_error,
                    }
                    for m in items
                ],
            }
        )
        return
    click.echo(", ".join(f"{n} {state}" for state, n in counts.items()))
    for m in items:
        when = plain_moment(m.sent_at or m.created_at, kdc.settings.tz)
        when = when if m.sent_at else f"queued {when}"
        click.echo(
            f"{m.id:>7}  {m.status:<8} {when:<28} {m.kind:<20} {m.recipient_name}: {m.subject}"
        )
        if m.last_error:
            click.echo(f"{'':>9}{m.last_error}")


@outbox_group.command("dispatch")
@click.option("--limit", type=click.IntRange(1), help="Try at most this many messages.")
@click.option("--dry-run", is_flag=True, help="Say how many are due; send nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_kdc
def dispatch_cmd(kdc: Kdc, limit: int | None, dry_run: bool, as_json: bool) -> None:
    """Send the due messages now (safe alongside other runs on other hosts)."""
    if dry_run:
        with kdc.unit_of_work(source="outbox", dry_run=True) as uow:
            counts = outbox.counts(uow)
        if as_json:
            echo_json({"dry_run": True, "counts": counts})
        else:
            click.echo(f"{counts['pending']} pending, {counts['failed']} failed; nothing sent.")
        return
    show = not as_json and sys.stderr.isatty()

    def progress(report: DispatchReport) -> None:
        if show and report.tried % 100 == 0:
            click.echo(
                f"\r{report.sent} sent, {report.retrying + report.failed} not", err=True, nl=False
            )

    report = dispatch(kdc, limit=limit, progress=progress)
    if show:
        click.echo("", err=True)
    if as_json:
        echo_json(
            {
                "sent": report.sent,
                "retrying": report.retrying,
                "failed": report.failed,
                "handed_back": report.released,
                "stopped": list(report.stopped),
            }
        )
    else:
        click.echo(
            f"{report.sent} sent, {report.retrying} to retry later, {report.failed} failed"
            + (f", {report.released} handed back untried" if report.released else "")
        )
        for line in report.stopped:
            click.echo(f"Stopped using {line}")
    if report.failed or report.stopped:
        raise SystemExit(1)


@outbox_group.command("retry")
@click.argument("message_id", type=int)
@pass_kdc
def retry_cmd(kdc: Kdc, message_id: int) -> None:
    """Queue a failed message again, due now."""
    with kdc.unit_of_work(source="outbox") as uow:
        message = outbox.retry(uow, message_id)
    click.echo(f"Message {message.id} ({message.kind} to {message.recipient_name}) queued again.")
