"""``kdc directory report``: the freshness loop on the command line."""

from __future__ import annotations

from typing import Any

import click

from kdc_core.app import Kdc
from kdc_core.cli import echo_json, pass_kdc
from kdc_core.directory.report import FreshnessReport, ProfileIssue


def _issue_json(i: ProfileIssue) -> dict[str, Any]:
    return {
        "person_id": i.person_id,
        "name": i.name,
        "email": i.email,
        "service": i.service,
        "manager": i.manager_name,
        "manager_email": i.manager_email,
        "updated_at": i.updated_at.isoformat() if i.updated_at else None,
        "reasons": list(i.reasons),
    }


def report_json(report: FreshnessReport) -> dict[str, Any]:
    return {
        "generated_at": report.generated_at.isoformat(),
        "stale_before": report.stale_before.isoformat(),
        "counts": {
            "stale": len(report.stale),
            "incomplete": len(report.incomplete),
            "services_without_wards": len(report.services_without_wards),
            "wards_without_contacts": len(report.wards_without_contacts),
        },
        "stale": [_issue_json(i) for i in report.stale],
        "incomplete": [_issue_json(i) for i in report.incomplete],
        "services_without_wards": [
            {
                "service": g.service,
                "officers": g.officers,
                "without_wards": list(g.without_wards),
                "none_listed": g.none_listed,
            }
            for g in report.services_without_wards
        ],
        "wards_without_contacts": [
            {"ward": g.ward, "services": list(g.services)} for g in report.wards_without_contacts
        ],
    }


@click.command("report")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@click.option("--remind", is_flag=True, help="Hand the report to mail plugins to send reminders.")
@pass_kdc
def report_cmd(kdc: Kdc, as_json: bool, remind: bool) -> None:
    """Stale and incomplete officer profiles, and missing ward links (read-only).

    Stale means not updated for more than directory.stale_months (default 6) months.
    """
    from kdc_core.directory.commands import require_schema
    from kdc_core.directory.report import freshness_report

    require_schema(kdc)
    with kdc.unit_of_work(source="cli", dry_run=True) as uow:
        report = freshness_report(uow.session, kdc.settings.directory.stale_months)
    if remind:
        kdc.hook.kdc_directory_reminders(report=report, kdc=kdc)
    if as_json:
        echo_json(report_json(report))
        return
    click.echo(f"Stale profiles (not updated since {report.stale_before:%d %b %Y}):")
    for i in report.stale:
        click.echo(
            f"  {i.person_id} {i.name} ({i.service or 'no service'}): {', '.join(i.reasons)}"
        )
    click.echo("Incomplete profiles:")
    for i in report.incomplete:
        click.echo(f"  {i.person_id} {i.name}: {', '.join(i.reasons)}")
    click.echo("Ward-facing services with officers who list no ward:")
    for g in report.services_without_wards:
        click.echo(f"  {g.service}: {len(g.without_wards)} of {g.officers} officers")
    click.echo("Wards without a named contact for a ward-facing service:")
    for w in report.wards_without_contacts:
        click.echo(f"  {w.ward}: {', '.join(w.services)}")
    click.echo(
        f"{len(report.stale)} stale, {len(report.incomplete)} incomplete, "
        f"{len(report.services_without_wards)} services and "
        f"{len(report.wards_without_contacts)} wards with gaps."
    )
