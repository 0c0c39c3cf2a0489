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
from collections import Counter

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


# -- 100 wards: an optimality certificate instead of brute force ---------------------------------


def large_problem(seed: int) -> RotaProblem:
    """100 wards in one quarter, three services of seven officers: loads near 14, leave
    (a week when one service has a single officer free, so wards compete for days),
    meetings that block some wards' days, prior loads and officers sent now."""
    from kdc_core.calendar.rota.slots import quarter_slots

    rng = random.Random(seed)
    slots = quarter_slots(2027, (1,), dt.time(10), 120, "Europe/London")
    wards = tuple(
        RotaWard(i, f"Ward {i:03d}", f"w{i}", {3 * i, 3 * i + 1, 3 * i + 2}) for i in range(100)
    )
    meetings = tuple(
        Meeting(
            "Committee",
            t.start - dt.timedelta(minutes=30),
            t.start + dt.timedelta(hours=1),
            set(rng.sample(range(300), 40)),
        )
        for t in rng.sample(slots, 15)
    )
    squeeze = slots[20].start - dt.timedelta(hours=1), slots[25].start
    services = []
    for s in range(3):
        officers = []
        for k in range(7):
            oid = 100 * (s + 1) + k
            busy: list[Busy] = []
            if rng.random() < 0.4:
                start = rng.choice(slots).start - dt.timedelta(hours=1)
                busy.append(Busy(start, start + dt.timedelta(days=rng.randint(1, 10)), "leave"))
            if s == 0 and k > 0:
                busy.append(Busy(*squeeze, "training"))
            patch = set(rng.sample(range(100), rng.randint(1, 20)))
            officers.append(RotaOfficer(oid, f"O{oid}", patch, tuple(busy), rng.randint(0, 3)))
        services.append(RotaService(s + 1, f"Service {s}", tuple(officers)))
    everyone = [o.id for s in services for o in s.officers]
    current = tuple(
        Current(w.id, 1, set(rng.sample(everyone, 3))) for w in wards if rng.random() < 0.5
    )
    return RotaProblem(2027, (1,), wards, tuple(services), slots, meetings, current)


def _slot_capacity(problem: RotaProblem) -> dict[Slot, int]:
    return {
        t: min(sum(1 for o in s.officers if _free(o, t)) for s in problem.services)
        for t in problem.slots
    }


def _reachable_room(start, at, candidates, members, capacity, first_movable) -> bool:
    """Can walkabout ``start`` be placed by moving only walkabouts from ``first_movable`` on
    along an alternating path to a slot with room?"""
    seen_slots: set[Slot] = set()
    queue, seen = [start], {start}
    while queue:
        w = queue.pop()
        for t in candidates[w]:
            if t in seen_slots or t == at[w]:
                continue
            seen_slots.add(t)
            if len(members[t]) < capacity[t]:
                return True
            for m in members[t]:
                if m >= first_movable and m not in seen:
                    seen.add(m)
                    queue.append(m)
    return False


def _maximum_placed(candidates, capacity) -> int:
    """Most walkabouts placeable (augmenting paths, written independently of the planner)."""
    at: list[Slot | None] = [None] * len(candidates)
    members: dict[Slot, list[int]] = {t: [] for t in capacity}
    placed = 0
    for w in range(len(candidates)):
        path = _augmenting_path(w, at, candidates, members, capacity)
        if path is not None:
            for mover, t in path:
                if at[mover] is not None:
                    members[at[mover]].remove(mover)
                at[mover] = t
                members[t].append(mover)
            placed += 1
    return placed


def _augmenting_path(start, at, candidates, members, capacity):
    parent: dict[Slot, tuple[int, Slot | None]] = {}
    queue = [(start, None)]
    seen = {start}
    while queue:
        w, came = queue.pop(0)
        for t in candidates[w]:
            if t in parent or t == at[w]:
                continue
            parent[t] = (w, came)
            if len(members[t]) < capacity[t]:
                path, slot = [], t
                while slot is not None:
                    mover, previous = parent[slot]
                    path.append((mover, slot))
                    slot = previous
                return path
            for m in members[t]:
                if m not in seen:
                    seen.add(m)
                    queue.append((m, t))
    return None


def _no_better_slot(problem: RotaProblem, plan: Plan) -> None:
    """Criteria 1–2: the most walkabouts, and no walkabout could take a better-ranked slot
    while every walkabout before it keeps its slot and as many are placed."""
    walkabouts = _walkabouts(problem)
    ranks = _ranks(problem)
    capacity = _slot_capacity(problem)
    candidates = [
        [t for t in ranks[k] if capacity[t] > 0 and not _clash(problem, w, t)]
        for k, (_, w) in enumerate(walkabouts)
    ]
    by_key = {(a.quarter, a.ward_id): a.slot for a in plan.assignments}
    at = [by_key.get((q, w.id)) for q, w in walkabouts]
    assert len(plan.assignments) == _maximum_placed(candidates, capacity)
    for k in range(len(walkabouts)):
        mine = ranks[k].index(at[k]) if at[k] is not None else len(ranks[k])
        for t in candidates[k]:
            if ranks[k].index(t) >= mine:
                continue
            trial = list(at)
            members: dict[Slot, list[int]] = {s: [] for s in capacity}
            for w, s in enumerate(trial):
                if s is not None and w != k:
                    members[s].append(w)
            trial[k] = t
            members[t].append(k)
            if len(members[t]) <= capacity[t]:
                raise AssertionError(f"walkabout {k} could have its better slot {t.start}")
            later = [m for m in members[t] if m > k]
            if not later:
                continue  # every walkabout there comes first: the slot is theirs
            members[t].remove(later[0])
            trial[later[0]] = None
            for w in range(k + 1, len(trial)):
                if trial[w] is None and _reachable_room(
                    w, trial, candidates, members, capacity, k + 1
                ):
                    raise AssertionError(f"walkabout {k} could have its better slot {t.start}")


def _no_cheaper_exchange(problem: RotaProblem, plan: Plan) -> None:
    """Criteria 3–5 for the chosen slots: in each service's residual network (every officer
    free in a slot may take any walkabout there) there is no cycle of negative cost, which
    for a min-cost flow means no assignment is cheaper (Bellman–Ford)."""
    current = {(c.quarter, c.ward_id): c.officer_ids for c in problem.current}
    wards = {w.id: w for w in problem.wards}
    n_jobs = len(plan.assignments)
    ward_weight = n_jobs + 1
    big = ward_weight * ward_weight
    per_slot = Counter(a.slot for a in plan.assignments)
    for service in problem.services:
        sent = {
            k: next(c.officer_id for c in a.officers if c.service_id == service.id)
            for k, a in enumerate(plan.assignments)
        }
        load = {o.id: o.prior_load for o in service.officers}
        for o in sent.values():
            load[o] += 1
        arcs: list[tuple[object, object, int]] = []
        for k, a in enumerate(plan.assignments):
            ward = wards[a.ward_id]
            kept = current.get((a.quarter, a.ward_id), frozenset())
            for o in service.officers:
                if not _free(o, a.slot):
                    continue
                cost = (0 if ward.id in o.ward_ids else ward_weight) + (0 if o.id in kept else 1)
                via = ("gate", o.id, a.slot) if per_slot[a.slot] > 1 else ("officer", o.id)
                if sent[k] == o.id:
                    arcs.append((via, ("job", k), -cost))
                else:
                    arcs.append((("job", k), via, cost))
        for o in service.officers:
            for t in per_slot:
                if per_slot[t] > 1 and _free(o, t):
                    busy_here = any(
                        sent[k] == o.id and a.slot == t for k, a in enumerate(plan.assignments)
                    )
                    gate, officer = ("gate", o.id, t), ("officer", o.id)
                    arcs.append((officer, gate, 0) if busy_here else (gate, officer, 0))
            arcs.append((("officer", o.id), "sink", big * (2 * load[o.id] + 1)))
            if load[o.id] > o.prior_load:
                arcs.append(("sink", ("officer", o.id), -big * (2 * load[o.id] - 1)))
        nodes = {u for u, _, _ in arcs} | {v for _, v, _ in arcs}
        dist = dict.fromkeys(nodes, 0)
        for _ in range(len(nodes)):
            changed = False
            for u, v, w in arcs:
                if dist[u] + w < dist[v]:
                    dist[v] = dist[u] + w
                    changed = True
            if not changed:
                break
        else:
            raise AssertionError(f"{service.name}: a cheaper assignment exists")


@pytest.mark.parametrize("seed", range(2))
def test_the_plan_for_100_wards_is_optimal(seed):
    problem = large_problem(seed)
    plan = plan_rota(problem)
    objective(problem, plan)  # every rule holds
    assert any(a.rank > 0 for a in plan.assignments), "the instance should make wards compete"
    assert max(load.most for load in plan.loads) >= 10
    _no_better_slot(problem, plan)
    _no_cheaper_exchange(problem, plan)
