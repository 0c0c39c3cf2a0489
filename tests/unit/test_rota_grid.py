"""The admin's grid: wards by quarter, local dates, and whether each cell is applied."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import attrs

from kdc_core.calendar.rota import RotaOfficer, RotaProblem, RotaService, RotaWard, plan_rota
from kdc_core.calendar.rota.grid import State, rota_grid
from kdc_core.calendar.rota.service import OfficerInfo, RotaInputs
from kdc_core.calendar.rota.slots import quarter_slots
from kdc_core.calendar.values import CalendarEvent, EventKind, EventStatus

LONDON = "Europe/London"


def _inputs(wards: int = 2) -> RotaInputs:
    officers = (RotaOfficer(1, "Ann Ray", {1}), RotaOfficer(2, "Bo Lee", {2}))
    problem = RotaProblem(
        2027,
        (1, 3),
        tuple(RotaWard(i, f"Ward {i}", f"ward-{i}", {10 + i}) for i in range(1, wards + 1)),
        (RotaService(7, "Highways", officers),),
        quarter_slots(2027, (1, 3), dt.time(10), 120, LONDON),
    )
    info = {o.id: OfficerInfo(o.name, f"P{o.id}", "Highways") for o in officers}
    return RotaInputs(problem, LONDON, info, {i: (10 + i,) for i in range(1, wards + 1)})


def _event(assignment, external_id: str, **changes) -> CalendarEvent:
    event = CalendarEvent(
        id=1,
        uid=f"rota-{external_id}@test",
        kind=EventKind.WALKABOUT,
        title="walkabout",
        start=assignment.slot.start,
        end=assignment.slot.end,
        officer_ids=tuple(c.officer_id for c in assignment.officers),
        source="rota",
        external_id=external_id,
    )
    return attrs.evolve(event, **changes)


def test_cells_show_local_date_and_time_officers_and_what_is_applied():
    inputs = _inputs()
    plan = plan_rota(inputs.problem)
    first = next(a for a in plan.assignments if a.ward_id == 1 and a.quarter == 1)
    july = next(a for a in plan.assignments if a.ward_id == 2 and a.quarter == 3)
    stored = {
        "2027-Q1-ward-1": _event(first, "2027-Q1-ward-1"),
        "2027-Q3-ward-1": _event(first, "2027-Q3-ward-1"),  # stored on another day
        "2027-Q3-ward-2": _event(july, "2027-Q3-ward-2", status=EventStatus.CANCELLED),
    }
    grid = rota_grid(inputs, plan, stored)
    assert [r.ward for r in grid.rows] == ["Ward 1", "Ward 2"]
    assert [c.quarter for c in grid.rows[0].cells] == [1, 3]
    cell = grid.rows[0].cells[0]
    assert cell.state == State.APPLIED and cell.placed
    assert cell.officers[0].name == "Ann Ray" and cell.officers[0].in_ward
    local = first.slot.start.astimezone(ZoneInfo(LONDON))
    assert cell.date == f"{local:%a} {local.day} {local:%b}" and cell.time == "10:00am to 12:00pm"
    assert grid.rows[0].cells[1].state == State.CHANGED
    assert grid.rows[1].cells[0].state == State.NEW
    assert grid.rows[1].cells[1].state == State.NEW, "a cancelled event is not applied"
    assert grid.rows[1].cells[1].time == "10:00am to 12:00pm", "10:00 local in summer too"
    assert (grid.placed, grid.unplaced, grid.pending) == (4, 0, 3)
    assert grid.loads[0].service == "Highways" and (grid.loads[0].fewest, grid.loads[0].most) == (
        2,
        2,
    )


def test_an_unplaced_cell_gives_the_reason_and_flags_a_stored_walkabout_to_cancel():
    inputs = _inputs(wards=3)
    slots = tuple(s for s in inputs.problem.slots if s.start.date() == dt.date(2027, 1, 4))
    inputs = attrs.evolve(inputs, problem=attrs.evolve(inputs.problem, quarters=(1,), slots=slots))
    plan = plan_rota(inputs.problem)
    (unplaced,) = plan.unplaced
    key = f"2027-Q1-ward-{unplaced.ward_id}"
    stored = {key: _event(plan.assignments[0], key)}
    grid = rota_grid(inputs, plan, stored)
    cell = next(r for r in grid.rows if r.slug == f"ward-{unplaced.ward_id}").cells[0]
    assert not cell.placed and cell.reason == unplaced.reason
    assert "taken by other wards' walkabouts" in cell.reason
    assert cell.state == State.TO_CANCEL and grid.pending == 3
