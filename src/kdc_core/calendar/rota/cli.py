"""``kdc rota plan`` and ``kdc rota unavailable``: the walkabout rota on the command line."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import click

from kdc_core.app import Kdc
from kdc_core.calendar.rota.planner import Plan
from kdc_core.calendar.rota.service import ApplyResult, RotaInputs
from kdc_core.cli import KdcGroup, echo_json, pass_kdc
from kdc_core.timewords import plain_moment, plain_span


@click.group("rota", cls=KdcGroup)
def rota_group() -> None:
    """The quarterly ward walkabout rota."""


def _quarter(_ctx: click.Context, _param: click.Parameter, value: str | None) -> int | None:
    if value is None:
        return None
    match = re.fullmatch(r"[Qq]?([1-4])", value.strip())
    if match is None:
        raise click.BadParameter(f"{value!r} is not a quarter: use Q1, Q2, Q3 or Q4")
    return int(match.group(1))


@rota_group.command("plan")
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="Year to plan.")
@click.option("--quarter", callback=_quarter, help="Plan one quarter only (Q1–Q4).")
@click.option("--apply", "apply_", is_flag=True, help="Write the plan as walkabout events.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_kdc
def plan_cmd(kdc: Kdc, year: int, quarter: int | None, apply_: bool, as_json: bool) -> None:
    """Plan one walkabout per ward per quarter, with an officer from each participating service.

    Walkabouts fall on working days (no weekends or England bank holidays), clear of every
    meeting that concerns the ward's councillors, with officers who are free and not booked
    twice; each service's walkabouts are shared out as evenly as the data allows, preferring
    officers who work in the ward. The same data always gives the same plan. With --apply the
    plan is written as walkabout events (one transaction); running it again changes nothing.
    Settings: the [rota] table of kdc.toml (services, start_time, duration_minutes).
    """
    from kdc_core.calendar.rota.service import apply_plan, plan
    from kdc_core.db.migrate import require_schema

    require_schema(kdc.engine)
    quarters = (quarter,) if quarter else (1, 2, 3, 4)
    click.echo(f"Reading wards, officers and events for {year}…", err=True)
    with kdc.unit_of_work(source="cli:rota", dry_run=not apply_) as uow:
        inputs, result = plan(uow, year, quarters)
        click.echo(
            f"Planned {len(result.assignments)} walkabouts "
            f"({len(result.unplaced)} could not be placed).",
            err=True,
        )
        applied = apply_plan(uow, inputs, result) if apply_ else None
    if as_json:
        echo_json(plan_json(inputs, result, applied))
        return
    click.echo(plan_text(inputs, result))
    if applied is not None:
        click.echo(
            f"Applied: {applied.created} created, {applied.updated} updated, "
            f"{applied.unchanged} unchanged, {applied.cancelled} cancelled."
        )


@rota_group.command("unavailable")
@click.option("--officer", required=True, help="The officer: directory person id, name or id.")
@click.option("--from", "start", required=True, help="Start: a date or an ISO date and time.")
@click.option("--to", "end", required=True, help="End: a date (whole day) or date and time.")
@click.option("--reason", help="Why (leave, training …).")
@pass_kdc
def unavailable_cmd(kdc: Kdc, officer: str, start: str, end: str, reason: str | None) -> None:
    """Record that an officer cannot be sent on walkabouts between two times.

    Dates without a time mean whole days: --from 2027-03-01 --to 2027-03-05 covers Monday to
    Friday. Times without an offset are local (the configured timezone).
    """
    from kdc_core.calendar.rota.service import record_unavailability
    from kdc_core.db.migrate import require_schema

    require_schema(kdc.engine)
    zone = kdc.settings.tz
    begin = _when(start, zone, "--from", end_of_day=False)
    finish = _when(end, zone, "--to", end_of_day=True)
    from kdc_core.people.lookup import resolve_officer

    with kdc.unit_of_work(source="cli:rota") as uow:
        person_id = resolve_officer(uow.session, officer).person_id
        who = record_unavailability(uow, person_id, begin, finish, reason)
    click.echo(
        f"{who.name} ({who.person_id}) is unavailable from "
        f"{plain_moment(begin, zone)} to {plain_moment(finish, zone)}"
        + (f": {reason}." if reason else ".")
    )


def _when(text: str, zone: ZoneInfo, option: str, *, end_of_day: bool) -> dt.datetime:
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            day = dt.date.fromisoformat(text.strip())
            if end_of_day:
                day += dt.timedelta(days=1)
            return dt.datetime.combine(day, dt.time(), tzinfo=zone)
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not an ISO date or date and time (2027-03-01 or 2027-03-01T09:00)",
            param_hint=option,
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


# -- output -----------------------------------------------------------------------------------


def plan_json(inputs: RotaInputs, plan: Plan, applied: ApplyResult | None) -> dict[str, Any]:
    zone = ZoneInfo(inputs.timezone)
    return {
        "year": plan.year,
        "quarters": [f"Q{q}" for q in plan.quarters],
        "services": [s.name for s in sorted(inputs.problem.services, key=lambda s: s.name)],
        "walkabouts": [
            {
                "ward": inputs.ward(a.ward_id).name,
                "ward_slug": inputs.ward(a.ward_id).slug,
                "quarter": f"Q{a.quarter}",
                "date": a.slot.start.astimezone(zone).date().isoformat(),
                "start": a.slot.start.astimezone(zone).isoformat(),
                "end": a.slot.end.astimezone(zone).isoformat(),
                "preference_rank": a.rank,
                "councillor_ids": list(inputs.ward_councillors.get(a.ward_id, ())),
                "officers": [
                    {
                        "service": inputs.service(c.service_id).name,
                        "name": inputs.officers[c.officer_id].name,
                        "person_id": inputs.officers[c.officer_id].person_id,
                        "works_in_ward": c.in_ward,
                    }
                    for c in a.officers
                ],
            }
            for a in plan.assignments
        ],
        "unplaced": [
            {"ward": inputs.ward(u.ward_id).name, "quarter": f"Q{u.quarter}", "reason": u.reason}
            for u in plan.unplaced
        ],
        "loads": [
            {
                "service": inputs.service(load.service_id).name,
                "fewest": load.fewest,
                "most": load.most,
                "spread": load.spread,
                "officers": {inputs.officers[o].person_id: n for o, n in load.loads},
            }
            for load in plan.loads
        ],
        "applied": None
        if applied is None
        else {
            "created": applied.created,
            "updated": applied.updated,
            "unchanged": applied.unchanged,
            "cancelled": applied.cancelled,
        },
    }


def plan_text(inputs: RotaInputs, plan: Plan) -> str:
    zone = ZoneInfo(inputs.timezone)
    width = max((len(w.name) for w in inputs.problem.wards), default=4)
    lines = [
        f"Walkabout rota {plan.year} ({', '.join(f'Q{q}' for q in plan.quarters)}); "
        "* works in the ward",
        f"{'Ward':<{width}}  Qtr  {'When':<30}  Officers",
    ]
    for a in sorted(plan.assignments, key=lambda a: (a.quarter, inputs.ward(a.ward_id).name)):
        officers = "; ".join(
            f"{inputs.service(c.service_id).name}: {inputs.officers[c.officer_id].name}"
            + ("*" if c.in_ward else "")
            for c in a.officers
        )
        lines.append(
            f"{inputs.ward(a.ward_id).name:<{width}}  Q{a.quarter}   "
            f"{plain_span(a.slot.start, a.slot.end, zone):<30}  {officers}"
        )
    total = len(plan.assignments) + len(plan.unplaced)
    lines.append("")
    lines.append(f"Placed {len(plan.assignments)} of {total} walkabouts.")
    for u in plan.unplaced:
        lines.append(f"  Not placed: {inputs.ward(u.ward_id).name} Q{u.quarter}: {u.reason}")
    lines.append("Walkabouts per officer (fewest–most, spread):")
    for load in sorted(plan.loads, key=lambda x: inputs.service(x.service_id).name):
        lines.append(
            f"  {inputs.service(load.service_id).name}: {load.fewest}–{load.most} "
            f"(spread {load.spread}, {len(load.loads)} officers)"
        )
    return "\n".join(lines)
