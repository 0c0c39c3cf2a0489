"""The walkabout rota planner: a pure function from frozen inputs to a frozen :class:`Plan`.

One walkabout per ward per quarter. Each takes one slot of its quarter (the service layer
makes one slot per working day, see :mod:`kdc_core.calendar.rota.slots`) and one officer from
every participating service. Nothing here touches the database.

**Feasibility.** A plan is feasible when

- every walkabout is in a slot of its own quarter, or unplaced;
- no council meeting that concerns one of the ward's councillors overlaps its slot;
- every officer sent is free for the whole slot (no unavailability or existing event overlaps);
- no officer is sent to two walkabouts in the same slot (slots never overlap one another, so
  this is "no officer in two places at once").

**Objective.** Among feasible plans, the planner returns the best by this lexicographic order:

1. the most walkabouts placed;
2. then the best *slot ranks*, compared ward by ward: walkabouts are taken in priority order
   (quarter, then ward name) and the vector of the rank of each one's slot in its ward's
   preference order (:func:`slot_preferences` at the ward's place for the year,
   :func:`rota_position`; an unplaced walkabout ranks last) is
   lexicographically smallest. So each ward gets the day nearest its preferred day that does not
   cost a ward before it its day or any ward its walkabout;
3. then, for the slots so chosen, the smallest sum over services and officers of the square of
   each officer's load (walkabouts this plan gives them plus ``prior_load``). Loads that can be
   reached this way form an M-convex set, on which the square-sum minimisers are exactly the
   "decreasingly minimal" load vectors (Frank and Murota, *Discrete Decreasing Minimization*,
   2022): they have the smallest possible maximum and the largest possible minimum at once, so
   the spread (most minus fewest walkabouts per officer) of every service is as small as the data
   allows — at most one whenever any feasible assignment achieves that;
4. then the most officers sent to a ward they work in;
5. then the most officers kept from the walkabouts already applied (``current``), so that
   re-planning after a change moves only the people it must.

Remaining ties are broken the same way on every run (inputs are ordered by id and the
algorithms are deterministic), so the same inputs always give the same plan.

**Algorithm.** Criteria 1–2 depend only on which slots are used: a slot can host as many
walkabouts as the smallest number of free officers of any service then, and any walkabouts
within that bound can be staffed (every free officer can serve every ward). The slots come from
a b-matching of walkabouts to slots built greedily in priority order, where a ward is fixed to
its best remaining slot only if an augmenting-path check shows the maximum number of walkabouts
can still be placed. Criteria 3–4 then split by service (an officer belongs to one service): a
min-cost flow per service, with a convex cost ``(n+1)²·(2ℓ+1)`` on the unit that takes an
officer from load ℓ to ℓ+1, cost ``n+1`` for an officer outside the ward and 1 for one not
already sent, on a sparse network (per-slot pools of officers free at the same times, direct
arcs only to the officers who work in the ward or are sent now) solved by the primal-dual
method (:func:`~kdc_core.calendar.rota.solve.assign_officers`). Both steps are exact; the unit
tests compare them with brute force on small problems and check an optimality certificate at
100 wards.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable

import attrs

from kdc_core.calendar.rota import solve as rota_solve
from kdc_core.calendar.rota.reasons import why_unplaced


def _aware(_i: object, attribute: attrs.Attribute[dt.datetime], value: dt.datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{attribute.name} must be timezone-aware, got {value!r}")


def _ids(values: Iterable[int]) -> frozenset[int]:
    return frozenset(values)


@attrs.frozen(order=True)
class Slot:
    """A time a walkabout may take, in quarter ``quarter`` (1–4) of the plan's year."""

    start: dt.datetime = attrs.field(validator=_aware)
    end: dt.datetime = attrs.field(validator=_aware)
    quarter: int = attrs.field(validator=attrs.validators.in_((1, 2, 3, 4)))

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        return self.start < end and start < self.end


@attrs.frozen
class Busy:
    """A span when an officer cannot be sent: unavailability or another event."""

    start: dt.datetime = attrs.field(validator=_aware)
    end: dt.datetime = attrs.field(validator=_aware)
    label: str = ""


@attrs.frozen
class RotaWard:
    id: int
    name: str
    slug: str
    councillor_ids: frozenset[int] = attrs.field(default=frozenset(), converter=_ids)


@attrs.frozen
class RotaOfficer:
    """An officer who may be sent, the wards they work in, and when they are busy."""

    id: int
    name: str
    ward_ids: frozenset[int] = attrs.field(default=frozenset(), converter=_ids)
    busy: tuple[Busy, ...] = ()
    #: walkabouts already theirs this year outside what is being planned.
    prior_load: int = 0

    def free(self, slot: Slot) -> bool:
        return not any(slot.overlaps(b.start, b.end) for b in self.busy)


@attrs.frozen
class RotaService:
    id: int
    name: str
    officers: tuple[RotaOfficer, ...] = ()


@attrs.frozen
class Meeting:
    """A council meeting (or any event) and the councillors it concerns."""

    title: str
    start: dt.datetime = attrs.field(validator=_aware)
    end: dt.datetime = attrs.field(validator=_aware)
    councillor_ids: frozenset[int] = attrs.field(default=frozenset(), converter=_ids)


@attrs.frozen
class Current:
    """The officers an already applied walkabout sends."""

    ward_id: int
    quarter: int
    officer_ids: frozenset[int] = attrs.field(default=frozenset(), converter=_ids)


@attrs.frozen
class RotaProblem:
    """Everything the planner reads. ``slots`` must not overlap one another."""

    year: int
    quarters: tuple[int, ...]
    wards: tuple[RotaWard, ...]
    services: tuple[RotaService, ...]
    slots: tuple[Slot, ...]
    meetings: tuple[Meeting, ...] = ()
    current: tuple[Current, ...] = ()

    def __attrs_post_init__(self) -> None:
        ordered = sorted(self.slots)
        for a, b in itertools.pairwise(ordered):
            if b.start < a.end:
                raise ValueError(f"slots overlap: {a.start} and {b.start}")
        officer_ids = [o.id for s in self.services for o in s.officers]
        if len(officer_ids) != len(set(officer_ids)):
            raise ValueError("an officer appears in more than one service")
        if len({w.id for w in self.wards}) != len(self.wards):
            raise ValueError("a ward appears twice")


@attrs.frozen
class OfficerChoice:
    service_id: int
    officer_id: int
    in_ward: bool


@attrs.frozen
class Assignment:
    """A placed walkabout: its slot, the slot's rank for the ward, and who goes."""

    ward_id: int
    quarter: int
    slot: Slot
    rank: int
    officers: tuple[OfficerChoice, ...]


@attrs.frozen
class Unplaced:
    """A walkabout that could not be placed, and why, in words a person can act on."""

    ward_id: int
    quarter: int
    reason: str


@attrs.frozen
class ServiceLoad:
    """Walkabouts per officer of one service (prior load included)."""

    service_id: int
    loads: tuple[tuple[int, int], ...]

    @property
    def fewest(self) -> int:
        return min((n for _, n in self.loads), default=0)

    @property
    def most(self) -> int:
        return max((n for _, n in self.loads), default=0)

    @property
    def spread(self) -> int:
        return self.most - self.fewest


@attrs.frozen
class Plan:
    year: int
    quarters: tuple[int, ...]
    assignments: tuple[Assignment, ...]
    unplaced: tuple[Unplaced, ...]
    loads: tuple[ServiceLoad, ...]


def rota_position(index: int, count: int, year: int) -> int:
    """The place in the quarter of the ward that is ``index`` of ``count`` by name, in ``year``.

    The order moves back one place each year and the first ward wraps round to the end:
    ``(index - year) mod count``. Within a year a ward keeps its place, so its walkabouts are
    about three months apart; across ``count`` years it takes every place once, so no ward is
    always the one whose walkabout falls in the first days back after New Year. Moving back
    rather than forward keeps the gap from a ward's last walkabout of one year to its first of
    the next a little under three months, except once in ``count`` years for the ward that wraps
    (then it is longer, never shorter).
    """
    if count < 1:
        raise ValueError(f"count must be positive, got {count}")
    if not 0 <= index < count:
        raise ValueError(f"index must be in 0..{count - 1}, got {index}")
    return (index - year) % count


def slot_preferences(position: int, count: int, slots: Iterable[Slot]) -> tuple[Slot, ...]:
    """The quarter's slots in the order the ward at ``position`` (of ``count``) prefers them.

    Ward ``i`` prefers slot ``⌊(2i+1)·K / 2N⌋`` of the ``K`` slots, spreading ``N`` wards evenly
    over the quarter; the others follow nearest first, the earlier of two equally near first.
    """
    ordered = sorted(slots)
    return tuple(ordered[i] for i in preference_order(position, count, len(ordered)))


def preference_order(position: int, count: int, slots: int) -> list[int]:
    """:func:`slot_preferences` on indices: the order of ``range(slots)`` (slots in time
    order) that the ward at ``position`` (of ``count``) prefers."""
    if not slots:
        return []
    preferred = ((2 * position + 1) * slots) // (2 * count)
    return sorted(range(slots), key=lambda i: (abs(i - preferred), i))


def plan_rota(problem: RotaProblem) -> Plan:
    """The optimal plan for ``problem`` (see the module docstring for the objective).

    Nothing here is quadratic in the size of the council: officers are indexed by ward,
    wards by councillor (for meeting clashes), and each officer's busy spans are turned into
    slot indices once, by binary search over the sorted slots."""
    wards = sorted(problem.wards, key=lambda w: (w.name, w.id))
    place = {w.id: i for i, w in enumerate(wards)}
    services = sorted(problem.services, key=lambda s: (s.name, s.id))
    staff = {s.id: sorted(s.officers, key=lambda o: o.id) for s in services}
    walkabouts = [(q, w) for q in sorted(set(problem.quarters)) for w in wards]
    slots = sorted(problem.slots)
    index = {t: i for i, t in enumerate(slots)}
    by_quarter: dict[int, list[Slot]] = defaultdict(list)
    for t in slots:
        by_quarter[t.quarter].append(t)

    busy = {
        o.id: frozenset(i for b in o.busy for i in _overlapping(slots, b.start, b.end))
        for s in services
        for o in staff[s.id]
    }
    free_count: dict[int, list[int]] = {}
    for s in services:
        free_here = [len(staff[s.id])] * len(slots)
        for o in staff[s.id]:
            for i in busy[o.id]:
                free_here[i] -= 1
        free_count[s.id] = free_here
    unlimited = len(walkabouts)
    capacity = [
        min((free_count[s.id][i] for s in services), default=unlimited) for i in range(len(slots))
    ]

    preferences = {
        (q, position): [
            index[by_quarter[q][i]]
            for i in preference_order(position, len(wards), len(by_quarter.get(q, ())))
        ]
        for q in sorted(set(problem.quarters))
        for position in range(len(wards))
    }
    ranked = [
        preferences[(q, rota_position(place[ward.id], len(wards), problem.year))]
        for q, ward in walkabouts
    ]
    wards_of: dict[int, list[int]] = defaultdict(list)
    for w in wards:
        for c in w.councillor_ids:
            wards_of[c].append(w.id)
    blocked: dict[int, set[int]] = {w.id: set() for w in wards}
    for m in problem.meetings:
        hit = _overlapping(slots, m.start, m.end)
        if hit:
            for ward_id in {w for c in m.councillor_ids for w in wards_of.get(c, ())}:
                blocked[ward_id].update(hit)
    clash_free = [
        [i for i in order if i not in blocked[ward.id]] if blocked[ward.id] else order
        for order, (_, ward) in zip(ranked, walkabouts, strict=True)
    ]
    candidates = [[i for i in order if capacity[i] > 0] for order in clash_free]
    chosen = rota_solve.choose_slots(candidates, capacity)

    placed = [k for k, i in enumerate(chosen) if i is not None]
    current = {(c.quarter, c.ward_id): c.officer_ids for c in problem.current}
    picks: dict[int, list[OfficerChoice]] = {k: [] for k in placed}
    loads = []
    for service in services:
        officers = staff[service.id]
        works_in = {o.id: o.ward_ids for o in officers}
        in_ward: dict[int, set[int]] = defaultdict(set)
        for o in officers:
            for ward_id in o.ward_ids:
                in_ward[ward_id].add(o.id)
        jobs = [chosen[k] for k in placed]
        sent = rota_solve.assign_officers(
            jobs=[i for i in jobs if i is not None],
            officers=[o.id for o in officers],
            busy=[busy[o.id] for o in officers],
            in_ward=[frozenset(in_ward.get(walkabouts[k][1].id, ())) for k in placed],
            prior=[o.prior_load for o in officers],
            current=[
                current.get((walkabouts[k][0], walkabouts[k][1].id), frozenset()) for k in placed
            ],
        )
        counts = {o.id: o.prior_load for o in officers}
        for k, officer_id in zip(placed, sent, strict=True):
            counts[officer_id] += 1
            in_ward_here = walkabouts[k][1].id in works_in[officer_id]
            picks[k].append(OfficerChoice(service.id, officer_id, in_ward_here))
        loads.append(ServiceLoad(service.id, tuple(sorted(counts.items()))))

    taken = Counter(i for i in chosen if i is not None)
    assignments = []
    unplaced = []
    for k, (q, ward) in enumerate(walkabouts):
        chosen_index = chosen[k]
        if chosen_index is None:
            why = why_unplaced(
                ranked[k], clash_free[k], candidates[k], services, free_count, capacity, taken
            )
            unplaced.append(Unplaced(ward.id, q, why))
            continue
        assignments.append(
            Assignment(
                ward_id=ward.id,
                quarter=q,
                slot=slots[chosen_index],
                rank=ranked[k].index(chosen_index),
                officers=tuple(picks[k]),
            )
        )
    return Plan(
        year=problem.year,
        quarters=tuple(sorted(set(problem.quarters))),
        assignments=tuple(assignments),
        unplaced=tuple(unplaced),
        loads=tuple(loads),
    )


def _overlapping(slots: list[Slot], start: dt.datetime, end: dt.datetime) -> range:
    """Indices of the sorted, non-overlapping ``slots`` that overlap [start, end)."""
    first = bisect.bisect_right(slots, start, key=lambda t: t.end)
    last = bisect.bisect_left(slots, end, key=lambda t: t.start)
    return range(first, max(first, last))
