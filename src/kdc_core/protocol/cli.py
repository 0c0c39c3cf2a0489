"""``kdc protocol …``: the clauses, guide, scenarios and findings on the command line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import attrs
import click

from kdc_core.app import Kdc
from kdc_core.cli import echo_json, pass_kdc
from kdc_core.people.lookup import resolve_councillor, resolve_officer
from kdc_core.protocol import complaints as complaint_log
from kdc_core.protocol.complaints import Stage
from kdc_core.protocol.document import load_file
from kdc_core.protocol.guide import clause_text, guide_html, guide_markdown, scenarios_markdown
from kdc_core.protocol.meetings import SCOPES, adopt, mark_political
from kdc_core.protocol.rules import Severity
from kdc_core.protocol.service import Recorded, check_all, current_protocol, override


def recorded_json(r: Recorded) -> dict[str, Any]:
    f = r.finding
    return {
        "id": r.id,
        "rule": f.rule_id,
        "clause": f.clause,
        "severity": f.severity.value,
        "subject": {"kind": f.subject_kind, "id": f.subject_id, "label": f.subject_label},
        "problem": f.problem,
        "fix": f.fix,
        "entities": [attrs.asdict(e) for e in f.entities],
        "protocol_version": r.protocol_version,
        "override_reason": r.override_reason,
        "overridden_by": r.overridden_by,
    }


def finding_line(r: Recorded) -> str:
    f = r.finding
    note = f" [overridden: {r.override_reason}]" if r.override_reason else ""
    head = f"{f.severity.value.upper()} {f.clause} {f.subject_label}: {f.problem}"
    return f"{head}\n    fix: {f.fix}{note}"


@click.group("protocol")
def protocol_group() -> None:
    """The member–officer protocol: clauses, guide, scenarios, checks and complaints."""


@protocol_group.command("clause")
@click.argument("number")
@pass_kdc
def clause_cmd(kdc: Kdc, number: str) -> None:
    """Print one clause (e.g. 7.4) of the protocol in force."""
    with kdc.unit_of_work(dry_run=True) as uow:
        protocol = current_protocol(uow)
    click.echo(clause_text(protocol, protocol.clause(number)))


@protocol_group.command("guide")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True)
@click.option(
    "--audience",
    type=click.Choice(["councillor", "officer"]),
    default="councillor",
    show_default=True,
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
@pass_kdc
def guide_cmd(kdc: Kdc, fmt: str, audience: str, out: Path | None) -> None:
    """The one-page bullet guide for councillors or officers, citing clauses."""
    with kdc.unit_of_work(dry_run=True) as uow:
        protocol = current_protocol(uow)
    text = (guide_html if fmt == "html" else guide_markdown)(protocol, audience)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}")


@protocol_group.command("scenarios")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_kdc
def scenarios_cmd(kdc: Kdc, as_json: bool) -> None:
    """The six training scenarios with guidance citing clauses."""
    with kdc.unit_of_work(dry_run=True) as uow:
        protocol = current_protocol(uow)
    if as_json:
        echo_json([attrs.asdict(s) for s in protocol.scenarios])
    else:
        click.echo(scenarios_markdown(protocol), nl=False)


@protocol_group.command("adopt")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_kdc
def adopt_cmd(kdc: Kdc, file: Path) -> None:
    """Adopt a new version of the protocol from a TOML file (same format as the packaged one)."""
    protocol, document = load_file(file)
    with kdc.unit_of_work(source="cli") as uow:
        adopt(uow, protocol, document)
    click.echo(f"adopted protocol version {protocol.version} ({len(protocol.clauses())} clauses)")


@protocol_group.command("check")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_kdc
def check_cmd(kdc: Kdc, as_json: bool) -> None:
    """Run every rule over the whole database and record the open findings.

    Exits 1 when an error-level finding has not been overridden.
    """
    with kdc.unit_of_work(source="cli") as uow:
        found = check_all(uow)
        version = current_protocol(uow).version
    found.sort(key=lambda r: (-r.finding.severity.rank, r.finding.clause, r.finding.subject_id))
    blocking = [r for r in found if r.blocking]
    if as_json:
        echo_json({"protocol_version": version, "findings": [recorded_json(r) for r in found]})
    else:
        for r in found:
            click.echo(finding_line(r))
        counts = {s.value: sum(r.finding.severity is s for r in found) for s in Severity}
        click.echo(", ".join(f"{n} {s}" for s, n in counts.items()) + f" (protocol {version})")
    if blocking:
        raise SystemExit(1)


@protocol_group.command("mark-meeting")
@click.argument("event_id", type=int)
@click.option(
    "--scope",
    type=click.Choice(SCOPES),
    required=True,
    help="group: a council party group's meeting; ward/constituency: a party political meeting.",
)
@click.option("--group", help="The political group (name, short name or id).")
@click.option("--matter", help="The matter officers advise on (for 6.1/6.2).")
@click.option(
    "--override", "reason", help="Go ahead despite an error-level finding; the reason is recorded."
)
@pass_kdc
def mark_meeting_cmd(
    kdc: Kdc, event_id: int, scope: str, group: str | None, matter: str | None, reason: str | None
) -> None:
    """Mark an event as a political meeting and check it against 6.1/6.2 and 7.5."""
    with kdc.unit_of_work(source="cli") as uow:
        override(uow, reason)
        found = mark_political(uow, event_id, scope, group, matter)
    for r in found:
        click.echo(finding_line(r))
    click.echo(f"event {event_id} marked as a {scope} political meeting")


def _date(value: str | None) -> dt.date:
    return dt.date.fromisoformat(value) if value else dt.date.today()


def _date_option(_c: click.Context, _p: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise click.BadParameter(f"{value!r} is not a date like 2027-01-31") from None
    return value


@protocol_group.command("complaint-open")
@click.option("--councillor", required=True, help="The councillor complained of (name or id).")
@click.option("--officer", help="The officer affected (name, person id or id).")
@click.option("--summary", required=True)
@click.option("--received", callback=_date_option, help="Date received (YYYY-MM-DD); today.")
@click.option(
    "--stage", type=click.Choice([s.value for s in Stage]), default="group", show_default=True
)
@click.option("--skip-reason", help="Why earlier stages are skipped (needed for a later stage).")
@pass_kdc
def complaint_open_cmd(
    kdc: Kdc,
    councillor: str,
    officer: str | None,
    summary: str,
    received: str | None,
    stage: str,
    skip_reason: str | None,
) -> None:
    """Log an 11.2 complaint of bullying or harassment of an officer."""
    with kdc.unit_of_work(source="cli") as uow:
        councillor_id = resolve_councillor(uow.session, councillor).id
        officer_id = resolve_officer(uow.session, officer).id if officer else None
        c = complaint_log.open_complaint(
            uow, councillor_id, summary, _date(received), officer_id, Stage(stage), skip_reason
        )
    click.echo(f"complaint {c.id} logged; next step: {c.next_step} by {c.stages[-1].due_on}")


@protocol_group.command("complaint-escalate")
@click.argument("complaint_id", type=int)
@click.option("--to", "stage", type=click.Choice([s.value for s in Stage]), required=True)
@click.option("--result", required=True, help="Why the current stage did not resolve it.")
@click.option("--on", "on", callback=_date_option, help="Date (YYYY-MM-DD); today by default.")
@click.option("--skip-reason", help="Why a stage is skipped (needed to jump a stage).")
@pass_kdc
def complaint_escalate_cmd(
    kdc: Kdc, complaint_id: int, stage: str, result: str, on: str | None, skip_reason: str | None
) -> None:
    """Refer a complaint to the next 11.2 stage."""
    with kdc.unit_of_work(source="cli") as uow:
        c = complaint_log.escalate(uow, complaint_id, Stage(stage), _date(on), result, skip_reason)
    click.echo(f"complaint {c.id} now with the {Stage(stage).label}; next step: {c.next_step}")


@protocol_group.command("complaints")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_kdc
def complaints_cmd(kdc: Kdc, as_json: bool) -> None:
    """The 11.2 complaints log: stages, dates and the next step due."""
    with kdc.unit_of_work(dry_run=True) as uow:
        log = complaint_log.complaints(uow)
    if as_json:
        echo_json([{**attrs.asdict(c), "next_step": c.next_step} for c in log])
        return
    for c in log:
        cur = c.current
        due = f", due {cur.due_on}" if cur and cur.due_on else ""
        click.echo(f"{c.id} {c.councillor} ({c.received_on}): {c.next_step}{due}")
