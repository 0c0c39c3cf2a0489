"""The rota as a wards × quarters grid, for the admin page: plain values, no web framework."""

from __future__ import annotations

from collections.abc import Mapping
from zoneinfo import ZoneInfo

import attrs

from kdc_core.calendar.rota.planner import Plan
from kdc_core.calendar.rota.service import RotaInputs, external_id
from kdc_core.calendar.values import CalendarEvent
from kdc_core.timewords import time_of_day


class State:
    """How a cell of the plan compares with what is stored."""

    APPLIED = "applied"
    CHANGED = "differs from the stored walkabout"
    NEW = "not applied yet"
    TO_CANCEL = "its stored walkabout would be cancelled"


@attrs.frozen
class GridOfficer:
    service: str
    name: str
    in_ward: bool


@attrs.frozen
class GridCell:
    """One ward's walkabout in one quarter: when and who, or why it could not be placed."""

    quarter: int
    date: str | None = None
    time: str | None = None
    officers: tuple[GridOfficer, ...] = ()
    reason: str | None = None
    state: str | None = None

    @property
    def placed(self) -> bool:
        return self.reason is None


@attrs.frozen
class GridRow:
    ward: str
    slug: str
    cells: tuple[GridCell, ...]


@attrs.frozen
class GridLoad:
    service: str
    fewest: int
    most: int
    officers: int


@attrs.frozen
class RotaGrid:
    year: int
    quarters: tuple[int, ...]
    rows: tuple[GridRow, ...]
    loads: tuple[GridLoad, ...]
    placed: int
    unplaced: int
    pending: int


def _state(
    stored: CalendarEvent | None, start: object = None, officers: tuple[int, ...] = ()
) -> str:
    if stored is None or stored.cancelled:
        return State.NEW
    if stored.start == start and tuple(sorted(stored.officer_ids)) == officers:
        return State.APPLIED
    return State.CHANGED


def rota_grid(inputs: RotaInputs, plan: Plan, stored: Mapping[str, CalendarEvent]) -> RotaGrid:
    """The plan laid out by ward (rows, by name) and quarter (columns).

    :param stored: the rota's stored walkabouts by external id, to mark what is applied.
    """
    zone = ZoneInfo(inputs.timezone)
    placed = {(a.ward_id, a.quarter): a for a in plan.assignments}
    unplaced = {(u.ward_id, u.quarter): u for u in plan.unplaced}
    rows = []
    pending = 0
    for ward in sorted(inputs.problem.wards, key=lambda w: (w.name, w.id)):
        cells = []
        for q in plan.quarters:
            event = stored.get(external_id(plan.year, q, ward.slug))
            a = placed.get((ward.id, q))
            if a is None:
                live = event is not None and not event.cancelled
                cells.append(
                    GridCell(
                        q,
                        reason=unplaced[(ward.id, q)].reason,
                        state=State.TO_CANCEL if live else None,
                    )
                )
                pending += live
                continue
            start, end = a.slot.start.astimezone(zone), a.slot.end.astimezone(zone)
            officers = tuple(
                GridOfficer(
                    inputs.service(c.service_id).name,
                    inputs.officers[c.officer_id].name,
                    c.in_ward,
                )
                for c in a.officers
            )
            state = _state(event, a.slot.start, tuple(sorted(c.officer_id for c in a.officers)))
            pending += state != State.APPLIED
            cells.append(
                GridCell(
                    q,
                    date=f"{start:%a} {start.day} {start:%b}",
                    time=f"{time_of_day(start, zone)} to {time_of_day(end, zone)}",
                    officers=officers,
                    state=state,
                )
            )
        rows.append(GridRow(ward.name, ward.slug, tuple(cells)))
    loads = tuple(
        sorted(
            (
                GridLoad(
                    inputs.service(load.service_id).name,
                    load.fewest,
                    load.most,
                    len(load.loads),
                )
                for load in plan.loads
            ),
            key=lambda g: g.service,
        )
    )
    return RotaGrid(
        plan.year,
        plan.quarters,
        tuple(rows),
        loads,
        len(plan.assignments),
        len(plan.unplaced),
        pending,
    )
