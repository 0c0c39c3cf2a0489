"""The rota's rules: working days, meeting clashes, leave, double booking, spread, reasons."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from kdc_core.calendar.rota import (
    Busy,
    Meeting,
    RotaOfficer,
    RotaProblem,
    RotaService,
    RotaWard,
    Slot,
    plan_rota,
    rota_position,
    slot_preferences,
)
from kdc_core.calendar.rota.slots import quarter_slots, working_days
from rota_checks import BANK_HOLIDAYS_2027, LONDON


def _day(n: int) -> Slot:
    start = dt.datetime(2027, 2, 1, 10, tzinfo=LONDON) + dt.timedelta(days=n)
    return Slot(start, start + dt.timedelta(hours=2), 1)


def _ward(i: int, name: str | None = None) -> RotaWard:
    return RotaWard(i, name or f"Ward {i:02d}", f"ward-{i}", {100 + i})


def _service(sid: int, name: str, n: int, **kw) -> RotaService:
    return RotaService(
        sid, name, tuple(RotaOfficer(sid * 100 + k, f"{name} {k}", **kw) for k in range(n))
    )


def _problem(wards, services, slots, meetings=()) -> RotaProblem:
    return RotaProblem(2027, (1,), tuple(wards), tuple(services), tuple(slots), tuple(meetings))


def test_slots_fall_on_every_working_day_and_never_on_a_weekend_or_bank_holiday():
    slots = quarter_slots(2027, (1, 2, 3, 4), dt.time(10), 120, "Europe/London")
    days = [s.start.date() for s in slots]
    assert len(days) == len(set(days))
    assert not [d for d in days if d.weekday() >= 5 or d in BANK_HOLIDAYS_2027]
    everyday = [dt.date(2027, 1, 1) + dt.timedelta(days=n) for n in range(365)]
    expected = [d for d in everyday if d.weekday() < 5 and d not in BANK_HOLIDAYS_2027]
    assert days == expected
    assert all(s.quarter == (s.start.month - 1) // 3 + 1 for s in slots)
    assert working_days(2027, 4)[-1] == dt.date(2027, 12, 31)


def test_slots_are_local_time_in_winter_and_in_summer():
    slots = quarter_slots(2027, (1, 3), dt.time(10), 120, "Europe/London")
    january = next(s for s in slots if s.start.month == 1)
    july = next(s for s in slots if s.start.month == 7)
    assert january.start.astimezone(dt.UTC).hour == 10
    assert july.start.astimezone(dt.UTC).hour == 9
    assert july.end - july.start == dt.timedelta(hours=2)


def test_each_ward_prefers_its_own_part_of_the_quarter():
    slots = [_day(n) for n in range(60)]
    firsts = [slot_preferences(i, 23, slots)[0] for i in range(23)]
    assert firsts == sorted(firsts) and len(set(firsts)) == 23
    assert firsts[0].start < _day(3).start and firsts[-1].start > _day(56).start
    order = slot_preferences(5, 23, slots)
    assert sorted(order) == slots
    gaps = [abs(slots.index(s) - slots.index(order[0])) for s in order]
    assert gaps == sorted(gaps)


def test_a_meeting_that_concerns_a_wards_councillor_moves_only_that_wards_walkabout():
    slots = [_day(n) for n in range(3)]
    first, second = _ward(1, "Alpha"), _ward(2, "Beta")
    preferred = slot_preferences(rota_position(0, 2, 2027), 2, slots)[0]
    theirs = slot_preferences(rota_position(1, 2, 2027), 2, slots)[0]
    assert preferred != theirs
    meeting = Meeting("Planning Committee", preferred.start, preferred.end, {101})
    other = Meeting("Licensing", theirs.start, theirs.end, {999})
    plan = plan_rota(
        _problem([first, second], [_service(1, "Highways", 2)], slots, [meeting, other])
    )
    placed = {a.ward_id: a for a in plan.assignments}
    assert placed[1].slot != preferred and placed[1].rank == 1
    assert placed[2].rank == 0 and placed[2].slot == theirs


def test_an_officer_on_leave_is_not_sent():
    slots = [_day(0)]
    on_leave = RotaOfficer(1, "On Leave", {1}, (Busy(_day(0).start, _day(0).end, "leave"),))
    at_work = RotaOfficer(2, "At Work")
    plan = plan_rota(
        _problem([_ward(1)], [RotaService(1, "Streetscene", (on_leave, at_work))], slots)
    )
    assert [c.officer_id for c in plan.assignments[0].officers] == [2]
    assert plan.assignments[0].officers[0].in_ward is False


def test_two_walkabouts_in_one_slot_never_share_an_officer():
    plan = plan_rota(_problem([_ward(1), _ward(2)], [_service(1, "Highways", 2)], [_day(0)]))
    assert len(plan.assignments) == 2
    sent = [a.officers[0].officer_id for a in plan.assignments]
    assert len(set(sent)) == 2


def test_the_officer_who_works_in_the_ward_is_preferred():
    officers = (RotaOfficer(1, "Elsewhere", {9}), RotaOfficer(2, "Local", {1}))
    plan = plan_rota(_problem([_ward(1)], [RotaService(1, "Parks", officers)], [_day(0)]))
    assert plan.assignments[0].officers[0].officer_id == 2
    assert plan.assignments[0].officers[0].in_ward


def test_prior_walkabouts_count_towards_the_balance():
    officers = (RotaOfficer(1, "Busy Year", {1, 2}, prior_load=2), RotaOfficer(2, "Quiet Year"))
    wards = [_ward(1), _ward(2)]
    plan = plan_rota(_problem(wards, [RotaService(1, "Planning", officers)], [_day(0), _day(1)]))
    assert [c.officer_id for a in plan.assignments for c in a.officers] == [2, 2]
    assert plan.loads[0].loads == ((1, 2), (2, 2)) and plan.loads[0].spread == 0


def test_loads_spread_by_at_most_one_on_a_full_year_with_leave():
    rng = random.Random(7)
    slots = quarter_slots(2027, (1, 2, 3, 4), dt.time(10), 120, "Europe/London")
    wards = [_ward(i) for i in range(23)]
    services = []
    for sid, (name, n) in enumerate([("Highways", 5), ("Streetscene", 9), ("Housing", 13)], 1):
        officers = []
        for k in range(n):
            leave = []
            for _ in range(3):
                begin = rng.choice(slots).start
                leave.append(Busy(begin, begin + dt.timedelta(days=7), "leave"))
            patch = set(rng.sample(range(23), 4))
            officers.append(RotaOfficer(sid * 100 + k, f"{name} {k}", patch, tuple(leave)))
        services.append(RotaService(sid, name, tuple(officers)))
    problem = RotaProblem(2027, (1, 2, 3, 4), tuple(wards), tuple(services), slots)
    plan = plan_rota(problem)
    assert len(plan.assignments) == 92 and not plan.unplaced
    assert all(load.spread <= 1 for load in plan.loads)
    assert all(sum(n for _, n in load.loads) == 92 for load in plan.loads), (
        "every walkabout has one officer from each service"
    )


def test_the_same_inputs_in_any_order_give_the_same_plan():
    rng = random.Random(3)
    slots = [_day(n) for n in range(8)]
    wards = [_ward(i) for i in range(6)]
    services = [
        _service(1, "Highways", 3, ward_ids={1, 2}),
        _service(2, "Libraries", 4, busy=(Busy(_day(2).start, _day(4).end, "training"),)),
    ]
    meetings = [Meeting("Cabinet", _day(1).start, _day(1).end, {101, 103})]
    plan = plan_rota(_problem(wards, services, slots, meetings))
    for _ in range(5):
        rng.shuffle(wards)
        rng.shuffle(slots)
        shuffled = [
            RotaService(s.id, s.name, tuple(rng.sample(s.officers, len(s.officers))))
            for s in services
        ]
        rng.shuffle(shuffled)
        assert plan_rota(_problem(wards, shuffled, slots, meetings)) == plan


# -- walkabouts that cannot be placed say why -------------------------------------------------


def test_a_ward_whose_every_slot_clashes_with_a_meeting_is_unplaced_with_that_reason():
    slots = [_day(0), _day(1)]
    meetings = [Meeting("Council", s.start, s.end, {101}) for s in slots]
    plan = plan_rota(_problem([_ward(1), _ward(2)], [_service(1, "Highways", 1)], slots, meetings))
    assert [a.ward_id for a in plan.assignments] == [2]
    (unplaced,) = plan.unplaced
    assert unplaced.ward_id == 1 and unplaced.quarter == 1
    assert "clash with a meeting that concerns one of the ward's councillors" in unplaced.reason
    assert "all 2 slots" in unplaced.reason


def test_a_service_with_no_officers_is_named():
    plan = plan_rota(_problem([_ward(1)], [RotaService(1, "Planning", ())], [_day(0)]))
    assert plan.unplaced[0].reason == "Planning has no officers to send"


def test_a_service_whose_officers_are_all_busy_is_named():
    busy = (Busy(_day(0).start, _day(1).end, "training"),)
    services = [_service(1, "Highways", 2), _service(2, "Libraries", 2, busy=busy)]
    plan = plan_rota(_problem([_ward(1)], services, [_day(0), _day(1)]))
    assert plan.unplaced[0].reason == (
        "no Libraries officer is free in any of the 2 slots without a meeting clash"
    )


def test_services_that_are_never_free_on_the_same_day_are_named():
    services = [
        _service(1, "Highways", 1, busy=(Busy(_day(0).start, _day(0).end, "leave"),)),
        _service(2, "Libraries", 1, busy=(Busy(_day(1).start, _day(1).end, "leave"),)),
    ]
    plan = plan_rota(_problem([_ward(1)], services, [_day(0), _day(1)]))
    assert "free from every service at once (Highways, Libraries)" in plan.unplaced[0].reason


def test_when_days_run_out_the_later_ward_is_unplaced_and_the_short_service_named():
    plan = plan_rota(
        _problem([_ward(1, "Alpha"), _ward(2, "Beta")], [_service(1, "Highways", 1)], [_day(0)])
    )
    assert [a.ward_id for a in plan.assignments] == [1]
    assert plan.unplaced[0].ward_id == 2
    assert "taken by other wards' walkabouts" in plan.unplaced[0].reason
    assert "Highways" in plan.unplaced[0].reason


def test_overlapping_slots_and_an_officer_in_two_services_are_refused():
    late = Slot(_day(0).start + dt.timedelta(hours=1), _day(0).end + dt.timedelta(hours=1), 1)
    with pytest.raises(ValueError, match="slots overlap"):
        _problem([_ward(1)], [], [_day(0), late])
    twice = RotaOfficer(1, "Twice")
    with pytest.raises(ValueError, match="more than one service"):
        _problem([_ward(1)], [RotaService(1, "A", (twice,)), RotaService(2, "B", (twice,))], [])


def test_the_ward_order_moves_back_one_place_a_year_and_wraps():
    count = 23
    for year in range(2026, 2026 + count):
        places = [rota_position(i, count, year) for i in range(count)]
        assert sorted(places) == list(range(count))
        following = [rota_position(i, count, year + 1) for i in range(count)]
        assert all(b == (a - 1) % count for a, b in zip(places, following, strict=True))
    # over ``count`` years every ward takes every place once
    for i in range(count):
        assert {rota_position(i, count, y) for y in range(2030, 2030 + count)} == set(range(count))
    with pytest.raises(ValueError, match="index"):
        rota_position(23, 23, 2027)
    with pytest.raises(ValueError, match="count"):
        rota_position(0, 0, 2027)


def test_a_ward_keeps_its_place_in_every_quarter_of_a_year():
    wards = [_ward(i, name) for i, name in enumerate(["Alpha", "Beta", "Gamma"], start=1)]
    slots = tuple(
        Slot(
            dt.datetime(2027, month, day, 10, tzinfo=dt.UTC),
            dt.datetime(2027, month, day, 12, tzinfo=dt.UTC),
            (month - 1) // 3 + 1,
        )
        for month in (1, 3, 4, 6, 7, 9, 10, 12)
        for day in (4, 5, 6, 7, 8, 11)
    )
    plan = plan_rota(
        RotaProblem(2027, (1, 2, 3, 4), tuple(wards), (_service(1, "Highways", 3),), slots)
    )
    by_ward: dict[int, set[tuple[int, int]]] = {}
    for a in plan.assignments:
        quarter_start = 3 * (a.quarter - 1) + 1
        by_ward.setdefault(a.ward_id, set()).add(
            (a.slot.start.month - quarter_start, a.slot.start.day)
        )
    assert len(plan.assignments) == 12
    assert all(len(days) == 1 for days in by_ward.values()), by_ward
