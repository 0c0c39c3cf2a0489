"""The rota planner is optimal: on many small random instances it matches brute force.

The brute force enumerates every slot for every walkabout (or none) and every officer for every
walkabout and service, keeps the feasible plans, and ranks them by the objective stated in
:mod:`kdc_core.calendar.rota`. It shares nothing with the planner but the problem values and
the ward's slot preference order (which is part of the problem's definition).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest

from kdc_core.calendar.rota import (
    Busy,
    Current,
    Meeting,
    Plan,
    RotaOfficer,
    RotaProblem,
    RotaService,
    RotaWard,
    Slot,
    plan_rota,
    rota_position,
    slot_preferences,
)

UTC = dt.UTC
INF = 10**6


def _slot(day: int, quarter: int) -> Slot:
    start = dt.datetime(2027, 3 * quarter - 2, 1 + day, 10, tzinfo=UTC)
    return Slot(start, start + dt.timedelta(hours=2), quarter)


def random_problem(rng: random.Random, crowded: bool = False) -> RotaProblem:
    """A few wards, slots, services and officers; ``crowded``: more wards than room."""
    quarters = (1,) if crowded else tuple(sorted(rng.sample([1, 2], rng.randint(1, 2))))
    slots = tuple(_slot(d, q) for q in quarters for d in range(rng.randint(1, 3)))
    if crowded:
        n_wards = rng.randint(3, 5)
    else:
        n_wards = rng.randint(1, 4) if len(quarters) == 1 else rng.randint(1, 2)
    wards = tuple(
        RotaWard(10 + i, rng.choice(["Ash", "Birch", "Cedar", "Damson"]) + str(i), f"w{i}", {i})
        for i in range(n_wards)
    )
    meetings = tuple(
        Meeting(
            "Committee",
            t.start - dt.timedelta(hours=1),
            t.start + dt.timedelta(hours=1),
            set(rng.sample(range(n_wards), rng.randint(1, n_wards))),
        )
        for t in slots
        if rng.random() < 0.25
    )
    services = []
    next_id = 100
    for s in range(rng.randint(1, 2)):
        officers = []
        for _ in range(rng.randint(1, 2 if crowded else 3)):
            busy = tuple(
                Busy(t.start + dt.timedelta(minutes=30), t.end + dt.timedelta(hours=1), "leave")
                for t in slots
                if rng.random() < 0.3
            )
            works_in = {w.id for w in wards if rng.random() < 0.4}
            officers.append(
                RotaOfficer(next_id, f"Officer {next_id}", works_in, busy, rng.choice([0, 0, 1]))
            )
            next_id += 1
        services.append(RotaService(s + 1, f"Service {s}", tuple(officers)))
    everyone = [o.id for s in services for o in s.officers]
    current = tuple(
        Current(w.id, q, set(rng.sample(everyone, rng.randint(1, len(everyone)))))
        for q in quarters
        for w in wards
        if rng.random() < 0.5
    )
    return RotaProblem(2027, quarters, wards, tuple(services), slots, meetings, current)


def _walkabouts(problem: RotaProblem) -> list[tuple[int, RotaWard]]:
    wards = sorted(problem.wards, key=lambda w: (w.name, w.id))
    return [(q, w) for q in sorted(problem.quarters) for w in wards]


def _ranks(problem: RotaProblem) -> list[list[Slot]]:
    wards = sorted(problem.wards, key=lambda w: (w.name, w.id))
    return [
        list(
            slot_preferences(
                rota_position(wards.index(w), len(wards), problem.year),
                len(wards),
                [t for t in problem.slots if t.quarter == q],
            )
        )
        for q, w in _walkabouts(problem)
    ]


def _clash(problem: RotaProblem, ward: RotaWard, slot: Slot) -> bool:
    return any(
        m.start < slot.end and slot.start < m.end and m.councillor_ids & ward.councillor_ids
        for m in problem.meetings
    )


def _free(officer: RotaOfficer, slot: Slot) -> bool:
    return all(not (b.start < slot.end and slot.start < b.end) for b in officer.busy)


def _best_for_service(
    service: RotaService, ward_ids: list[int], slots: list[Slot], kept: list[frozenset[int]]
):
    """(square sum, officers outside their ward, officers not kept) of the best assignment,
    or None; and the smallest spread any valid assignment reaches."""
    best = None
    min_spread = None
    for pick in itertools.product(service.officers, repeat=len(slots)):
        if not all(_free(o, t) for o, t in zip(pick, slots, strict=True)):
            continue
        taken = [(o.id, t) for o, t in zip(pick, slots, strict=True)]
        if len(set(taken)) != len(taken):
            continue
        loads = [o.prior_load + sum(1 for p in pick if p.id == o.id) for o in service.officers]
        outside = sum(1 for o, w in zip(pick, ward_ids, strict=True) if w not in o.ward_ids)
        moved = sum(1 for o, k in zip(pick, kept, strict=True) if o.id not in k)
        key = (sum(n * n for n in loads), outside, moved)
        spread = max(loads) - min(loads)
        best = key if best is None else min(best, key)
        min_spread = spread if min_spread is None else min(min_spread, spread)
    return best, min_spread


def brute_force(problem: RotaProblem):
    """The objective's value at the optimum and each service's smallest spread there."""
    walkabouts = _walkabouts(problem)
    ranks = _ranks(problem)
    options = [[None, *ranks[k]] for k in range(len(walkabouts))]
    best = None
    for choice in itertools.product(*options):
        if any(
            t is not None and _clash(problem, ward, t)
            for t, (_, ward) in zip(choice, walkabouts, strict=True)
        ):
            continue
        placed = [(t, q, w) for t, (q, w) in zip(choice, walkabouts, strict=True) if t is not None]
        current = {(c.quarter, c.ward_id): c.officer_ids for c in problem.current}
        kept = [current.get((q, w.id), frozenset()) for _, q, w in placed]
        per_service = [
            _best_for_service(s, [w.id for _, _, w in placed], [t for t, _, _ in placed], kept)
            for s in problem.services
        ]
        if any(b is None for b, _ in per_service):
            continue
        key = (
            len(walkabouts) - len(placed),
            tuple(INF if t is None else ranks[k].index(t) for k, t in enumerate(choice)),
            sum(b[0] for b, _ in per_service),
            sum(b[1] for b, _ in per_service),
            sum(b[2] for b, _ in per_service),
        )
        if best is None or key < best[0]:
            best = (
                key,
                {
                    s.id: spread
                    for s, (_, spread) in zip(problem.services, per_service, strict=True)
                },
            )
    return best


def objective(problem: RotaProblem, plan: Plan):
    """The same objective, read from the planner's plan (after checking it is feasible)."""
    walkabouts = _walkabouts(problem)
    ranks = _ranks(problem)
    by_key = {(a.quarter, a.ward_id): a for a in plan.assignments}
    officers = {o.id: (s, o) for s in problem.services for o in s.officers}
    current = {(c.quarter, c.ward_id): c.officer_ids for c in problem.current}
    booked = set()
    for a in plan.assignments:
        ward = next(w for w in problem.wards if w.id == a.ward_id)
        assert not _clash(problem, ward, a.slot)
        assert a.slot.quarter == a.quarter
        assert sorted(c.service_id for c in a.officers) == sorted(s.id for s in problem.services)
        for c in a.officers:
            service, officer = officers[c.officer_id]
            assert service.id == c.service_id and _free(officer, a.slot)
            assert (officer.id, a.slot) not in booked
            booked.add((officer.id, a.slot))
            assert c.in_ward == (ward.id in officer.ward_ids)
    loads = {o: officers[o][1].prior_load for o in officers}
    for a in plan.assignments:
        for c in a.officers:
            loads[c.officer_id] += 1
    choice = [by_key.get((q, w.id)) for q, w in walkabouts]
    return (
        len(plan.unplaced),
        tuple(INF if a is None else ranks[k].index(a.slot) for k, a in enumerate(choice)),
        sum(n * n for n in loads.values()),
        sum(1 for a in plan.assignments for c in a.officers if not c.in_ward),
        sum(
            1
            for a in plan.assignments
            for c in a.officers
            if c.officer_id not in current.get((a.quarter, a.ward_id), frozenset())
        ),
    )


@pytest.mark.parametrize("crowded", [False, True], ids=["roomy", "crowded"])
@pytest.mark.parametrize("seed", range(300))
def test_the_plan_matches_brute_force_on_a_small_random_instance(seed, crowded):
    problem = random_problem(random.Random(seed), crowded)
    plan = plan_rota(problem)
    expected = brute_force(problem)
    assert expected is not None  # placing nothing is always feasible
    key, spreads = expected
    assert objective(problem, plan) == key
    for load in plan.loads:
        assert load.spread == spreads[load.service_id], "spread is not the smallest possible"
    assert len(plan.assignments) + len(plan.unplaced) == len(_walkabouts(problem))
    assert all(u.reason for u in plan.unplaced)


def _brute_assign(jobs, officers, busy, in_ward, prior, keep):
    """(square sum, outside the ward, not kept) of the best assignment, by enumeration."""
    best = None
    for pick in itertools.product(range(len(officers)), repeat=len(jobs)):
        if any(jobs[j] in busy[i] for j, i in enumerate(pick)):
            continue
        if len(set(zip(jobs, pick, strict=True))) != len(jobs):
            continue
        loads = list(prior)
        for i in pick:
            loads[i] += 1
        key = (
            sum(n * n for n in loads),
            sum(1 for j, i in enumerate(pick) if officers[i] not in in_ward[j]),
            sum(1 for j, i in enumerate(pick) if officers[i] not in keep[j]),
        )
        best = key if best is None else min(best, key)
    return best


@pytest.mark.parametrize("seed", range(150))
def test_assigning_officers_matches_brute_force_with_shared_slots_and_leave(seed):
    """Both networks of :func:`assign_officers` — officers grouped into classes free at the
    same times, and one officer a class — reach the brute-force optimum; the grouped one
    either does or gives way to the other."""
    from kdc_core.calendar.rota import solve

    rng = random.Random(seed)
    n_slots, n_off = rng.randint(1, 3), rng.randint(2, 4)
    officers = list(range(100, 100 + n_off))
    busy = [frozenset(s for s in range(n_slots) if rng.random() < 0.3) for _ in officers]
    jobs = []
    for s in range(n_slots):
        free = sum(1 for b in busy if s not in b)
        jobs += [s] * rng.randint(0, min(free, 6 - len(jobs)))
    in_ward = [frozenset(o for o in officers if rng.random() < 0.3) for _ in jobs]
    keep = [frozenset(o for o in officers if rng.random() < 0.2) for _ in jobs]
    prior = [rng.choice([0, 0, 1, 2]) for _ in officers]
    expected = _brute_assign(jobs, officers, busy, in_ward, prior, keep)
    runs = [solve.assign_officers(jobs, officers, busy, in_ward, prior, keep)]
    for grouped in (True, False):
        got = solve._assign(jobs, officers, busy, in_ward, prior, keep, grouped=grouped)
        if got is not None or not grouped:
            runs.append(got)
    for result in runs:
        assert result is not None
        picks = [officers.index(o) for o in result]
        loads = list(prior)
        for i in picks:
            loads[i] += 1
        assert all(jobs[j] not in busy[i] for j, i in enumerate(picks))
        assert len(set(zip(jobs, picks, strict=True))) == len(jobs)
        assert (
            sum(n * n for n in loads),
            sum(1 for j, o in enumerate(result) if o not in in_ward[j]),
            sum(1 for j, o in enumerate(result) if o not in keep[j]),
        ) == expected
