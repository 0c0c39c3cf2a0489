"""The core's own CLI commands about people and wards, added by :mod:`kdc_core.people.plugin`.

``kdc ward NAME``, ``kdc wards``, ``kdc seed-demo`` and ``kdc councillors photos``. Each
reads or writes in one unit of work (``kdc councillors photos`` also in the instance
folder); with ``--json`` the only thing on stdout is one JSON document.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from kdc_core.app import Kdc
from kdc_core.cli import KdcGroup, echo_json, pass_kdc
from kdc_core.db.migrate import require_schema
from kdc_core.people.photos import PhotoReport
from kdc_core.people.values import Councillor, Officer, WardOverview, WardSummary

# -- kdc ward -------------------------------------------------------------------------------------


@click.command("ward")
@click.argument("name", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_kdc
def ward_cmd(kdc: Kdc, name: tuple[str, ...], as_json: bool) -> None:
    """Show a ward: its councillors, the officers working in it by service, and its contacts.

    NAME is the ward's name or slug, any case (kdc ward batley east, kdc ward batley-east).
    """
    from kdc_core.people.queries import ward_summary

    require_schema(kdc.engine)
    with kdc.unit_of_work(source="cli", dry_run=True) as uow:
        summary = ward_summary(uow, " ".join(name))
    if as_json:
        echo_json(ward_json(summary))
    else:
        click.echo(ward_text(summary), nl=False)


def officer_json(officer: Officer | None) -> dict[str, Any] | None:
    if officer is None:
        return None
    return {
        "name": officer.name,
        "person_id": officer.person_id,
        "job_title": officer.job_title,
        "service": officer.service.name if officer.service else None,
        "team": officer.team,
        "email": officer.email,
        "phone": officer.phone,
    }


def councillor_json(c: Councillor) -> dict[str, Any]:
    return {
        "name": c.name,
        "group": c.group.name if c.group else None,
        "email": c.email,
        "phone": c.phone,
        "mobile": c.mobile,
        "key_posts": list(c.key_posts),
    }


def ward_json(summary: WardSummary) -> dict[str, Any]:
    ward = summary.ward
    return {
        "ward": {"name": ward.name, "slug": ward.slug, "ons_code": ward.ons_code},
        "councillors": [councillor_json(c) for c in summary.councillors],
        "officers_by_service": [
            {"service": service.name, "officers": [officer_json(o) for o in officers]}
            for service, officers in summary.officers_by_service
        ],
        "contacts": [
            {"service": c.service.name, "officer": officer_json(c.officer)}
            for c in summary.contacts
        ],
        "link_officer": officer_json(summary.link_officer),
    }


def _officer_line(officer: Officer) -> str:
    details = [officer.job_title, officer.email, officer.phone]
    return f"{officer.name} — " + ", ".join(d for d in details if d)


def ward_text(summary: WardSummary) -> str:
    ward = summary.ward
    lines = [ward.name, "=" * len(ward.name), "", f"Councillors ({len(summary.councillors)})"]
    for c in summary.councillors:
        group = f" ({c.group.name})" if c.group else ""
        lines.append(f"  {c.name}{group}" + (f"  {c.email}" if c.email else ""))
        lines += [f"      {post}" for post in c.key_posts]
    if not summary.councillors:
        lines.append("  (none)")
    link = summary.link_officer
    lines += ["", "Ward link officer", f"  {_officer_line(link) if link else '(none)'}"]
    contacts = {c.service.id: c.officer for c in summary.contacts}
    lines += ["", "Officers working in the ward, by service"]
    for service, officers in summary.officers_by_service:
        named = contacts.get(service.id)
        lines.append(f"  {service.name}" + (f" — contact: {named.name}" if named else ""))
        lines += [f"    {_officer_line(o)}" for o in officers]
    if not summary.officers_by_service:
        lines.append("  (none)")
    return "\n".join(lines) + "\n"


# -- kdc wards ------------------------------------------------------------------------------------


@click.command("wards")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_kdc
def wards_cmd(kdc: Kdc, as_json: bool) -> None:
    """List every ward with its councillors, officers and named contacts counted."""
    from kdc_core.people.queries import ward_overviews

    require_schema(kdc.engine)
    with kdc.unit_of_work(source="cli", dry_run=True) as uow:
        overviews = ward_overviews(uow)
    if as_json:
        echo_json([overview_json(o) for o in overviews])
        return
    if not overviews:
        click.echo("No wards yet: run `kdc seed-demo` or an import.")
        return
    width = max(len(o.ward.name) for o in overviews)
    click.echo(f"{'Ward':<{width}}  Cllrs  Officers  Contacts  Link officer")
    for o in overviews:
        click.echo(
            f"{o.ward.name:<{width}}  {o.councillors:>5}  {o.officers:>8}  {o.contacts:>8}  "
            f"{o.link_officer or '(none)'}"
        )


def overview_json(o: WardOverview) -> dict[str, Any]:
    return {
        "name": o.ward.name,
        "slug": o.ward.slug,
        "ons_code": o.ward.ons_code,
        "councillors": o.councillors,
        "officers": o.officers,
        "contacts": o.contacts,
        "link_officer": o.link_officer,
    }


# -- kdc seed-demo --------------------------------------------------------------------------------


@click.command("seed-demo")
@click.option(
    "--people-only",
    is_flag=True,
    help="Load only the council (wards, councillors, officers), not its activity.",
)
@click.option(
    "--wards",
    type=click.IntRange(min=1),
    help="Instead of the demo council, a synthetic one with this many wards (needs --officers).",
)
@click.option("--officers", type=click.IntRange(min=1), help="Officers of the synthetic council.")
@click.option("--seed", help="Seed of the synthetic council (same seed, same council).")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_kdc
def seed_demo_cmd(
    kdc: Kdc,
    people_only: bool,
    wards: int | None,
    officers: int | None,
    seed: str | None,
    as_json: bool,
) -> None:
    """Load the fictional demo council into an empty database (run `kdc init` first).

    Then, unless --people-only, its activity: a year of committee meetings, open days, the
    walkabout rota, enquiries in every state, briefings, success stories, this month's
    newsletter, and one run of the scheduled jobs. Without [mail] in kdc.toml the messages
    are written to the instance folder's mail/ Maildir. Running it again changes nothing.
    It refuses a database that already holds other wards, councillors or officers.

    With --wards N --officers M it loads a synthetic council of that size instead, the same
    for the same --seed: generated wards, three councillors a ward, the demo's services,
    officers in a management tree with ward patches, contacts and link officers, and (unless
    --people-only) committee meetings this year and next. No other activity is added.
    """
    from kdc_core.demo import seed_demo
    from kdc_core.demo.living import mail_line, seed_living, use_demo_mail

    require_schema(kdc.engine)
    if wards is not None or officers is not None or seed is not None:
        _seed_synthetic(kdc, wards, officers, seed, people_only, as_json)
        return
    if not people_only:
        use_demo_mail(kdc)
    with kdc.unit_of_work(source="cli:seed-demo") as uow:
        changes = seed_demo(uow)
    added = {entity: counts.get("added", 0) for entity, counts in changes.summary().items()}
    activity = None
    if not people_only:
        activity = seed_living(kdc, progress=lambda line: click.echo(line, err=True))
    if as_json:
        document: dict[str, object] = {
            "loaded": bool(changes),
            "changes": len(changes),
            "added": added,
        }
        if activity is not None:
            document["activity"] = {k: n for k, n in activity.added.items() if n}
            document["plugins"] = list(activity.plugins)
            document["jobs"] = [{"job": j, "status": s} for j, s in activity.jobs]
        echo_json(document)
        return
    if not changes:
        click.echo("Demo council already loaded: 0 changes.")
    else:
        counts = ", ".join(f"{n} {entity.replace('_', ' ')}s" for entity, n in added.items())
        click.echo(f"Loaded the demo council: {counts} ({len(changes)} changes).")
    if activity is not None:
        for line in activity.lines():
            click.echo(line)
        click.echo(mail_line(kdc))


def _seed_synthetic(
    kdc: Kdc,
    wards: int | None,
    officers: int | None,
    seed: str | None,
    people_only: bool,
    as_json: bool,
) -> None:
    import datetime as dt

    from kdc_core.demo.synthetic import SYNTHETIC_SEED, seed_synthetic

    if wards is None or officers is None:
        raise click.UsageError("a synthetic council needs both --wards and --officers")
    this_year = dt.datetime.now(kdc.settings.tz).year
    years = () if people_only else (this_year, this_year + 1)
    with kdc.unit_of_work(source="cli:seed-demo") as uow:
        counts = seed_synthetic(uow, wards, officers, seed or SYNTHETIC_SEED, years)
    if as_json:
        echo_json({"loaded": True, "synthetic": True, "added": counts.as_dict()})
        return
    click.echo(
        f"Loaded a synthetic council: {counts.wards} wards, {counts.councillors} councillors, "
        f"{counts.officers} officers, {counts.ward_links} ward links, "
        f"{counts.ward_contacts} ward contacts, {counts.meetings} meetings."
    )


# -- kdc councillors photos -----------------------------------------------------------------------


@click.group("councillors", cls=KdcGroup)
def councillors_group() -> None:
    """Councillors: copy their photos to this site."""


@councillors_group.command("photos")
@click.option("--dry-run", is_flag=True, help="Download and check the photos; store nothing.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_kdc
def photos_cmd(kdc: Kdc, dry_run: bool, as_json: bool) -> None:
    """Copy each serving councillor's photo (their photo_url) into the instance folder,
    where the people's site serves it from.

    Only JPEG, PNG, GIF and WebP images up to 2 MB are stored, and only when they changed.
    A photo that cannot be fetched is skipped with a warning naming the councillor (the one
    stored before stays); photos of councillors with no photo address any more are removed.
    Only one run at a time: another started meanwhile, here or on another host, or the
    councillor_photos job, is refused and exits 1.
    """
    from kdc_core.people.photos import locked_fetch

    require_schema(kdc.engine)
    show = sys.stderr.isatty() and not as_json
    bar: Any = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if not show:
            return
        if bar is None:
            bar = click.progressbar(length=total, label="Fetching photos", file=sys.stderr)
            bar.__enter__()
        bar.update(1)

    try:
        report = locked_fetch(kdc, dry_run=dry_run, progress=progress)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if as_json:
        echo_json(photo_report_json(report))
        return
    click.echo(photo_report_text(report), nl=False)


def photo_report_json(report: PhotoReport) -> dict[str, Any]:
    return {
        "dry_run": report.dry_run,
        "counts": report.counts(),
        "councillors": [
            {
                "id": o.councillor_id,
                "name": o.name,
                "outcome": o.outcome,
                "reason": o.reason or None,
                "source": o.source,
            }
            for o in report.outcomes
        ],
        "warnings": list(report.warnings),
    }


def photo_report_text(report: PhotoReport) -> str:
    counts = report.counts()
    verb = "Would fetch" if report.dry_run else "Fetched"
    lines = [
        f"{verb} {counts['fetched']}, unchanged {counts['unchanged']}, "
        f"kept {counts['kept']}, skipped {counts['skipped']}, "
        f"{'would remove' if report.dry_run else 'removed'} {counts['removed']}."
    ]
    lines += [f"Warning: {w}" for w in report.warnings]
    lines += [
        f"Removed the photo of {o.name}: {o.reason}."
        for o in report.outcomes
        if o.outcome == "removed" and not report.dry_run
    ]
    if report.dry_run:
        lines.append("Dry run: nothing was stored or removed.")
    return "\n".join(lines) + "\n"
