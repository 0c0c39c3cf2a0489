"""The two exact steps behind :func:`kdc_core.calendar.rota.plan_rota`, on plain integers.

- :func:`choose_slots`: walkabouts → slots with capacities. The most walkabouts placed, then the
  lexicographically smallest vector of candidate positions in priority order.
- :func:`assign_officers`: one service's officers → the placed walkabouts. Smallest sum of
  squared loads, then fewest officers outside their ward, then fewest not kept; a min-cost
  flow on a sparse network (see there), solved by :class:`~kdc_core.calendar.rota.flow.FlowGraph`.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Sequence

import attrs

from kdc_core.calendar.rota.flow import FlowGraph


@attrs.define
class _Matching:
    """A b-matching of walkabouts to slots, with some walkabouts fixed in place."""

    candidates: Sequence[Sequence[int]]
    capacity: Sequence[int]
    at: list[int | None]
    members: list[list[int]]
    fixed: list[bool]

    @classmethod
    def empty(cls, candidates: Sequence[Sequence[int]], capacity: Sequence[int]) -> _Matching:
        n = len(candidates)
        return cls(candidates, capacity, [None] * n, [[] for _ in capacity], [False] * n)

    def copy(self) -> _Matching:
        return _Matching(
            self.candidates,
            self.capacity,
            list(self.at),
            [list(m) for m in self.members],
            list(self.fixed),
        )

    def size(self) -> int:
        return sum(1 for a in self.at if a is not None)

    def put(self, w: int, slot: int | None) -> None:
        old = self.at[w]
        if old is not None:
            self.members[old].remove(w)
        self.at[w] = slot
        if slot is not None:
            self.members[slot].append(w)

    def augment(self, start: int) -> bool:
        """Place unplaced walkabout ``start`` by an alternating path that moves only unfixed
        walkabouts. Breadth-first, so the same state always takes the same path."""
        parent: dict[int, tuple[int, int | None]] = {}  # slot -> (walkabout, slot it came from)
        queue: deque[tuple[int, int | None]] = deque([(start, None)])
        seen_w = {start}
        while queue:
            w, came = queue.popleft()
            for slot in self.candidates[w]:
                if slot in parent or slot == came:
                    continue
                parent[slot] = (w, came)
                if len(self.members[slot]) < self.capacity[slot]:
                    while True:  # walk back, moving each walkabout one slot along the path
                        mover, previous = parent[slot]
                        self.put(mover, slot)
                        if previous is None:
                            return True
                        slot = previous
                for other in sorted(self.members[slot]):
                    if not self.fixed[other] and other not in seen_w:
                        seen_w.add(other)
                        queue.append((other, slot))
        return False


def choose_slots(candidates: Sequence[Sequence[int]], capacity: Sequence[int]) -> list[int | None]:
    """A slot (or ``None``) for each walkabout.

    :param candidates: per walkabout, in priority order, the slots it may use, best first.
    :param capacity: per slot, how many walkabouts it can hold.
    :returns: the assignment placing the most walkabouts and, among those, giving the
        lexicographically smallest vector of positions in ``candidates`` (unplaced last).
    """
    state = _Matching.empty(candidates, capacity)
    for w in range(len(candidates)):
        state.augment(w)
    best = state.size()  # maximum: an unmatched vertex that cannot augment never can later
    for w in range(len(candidates)):
        for slot in candidates[w]:
            trial = _fix(state, w, slot, best)
            if trial is not None:
                state = trial
                break
        else:
            state.fixed[w] = True  # unplaced in every maximum assignment that respects the fixes
    return state.at


def _fix(state: _Matching, w: int, slot: int, best: int) -> _Matching | None:
    """``state`` with ``w`` fixed to ``slot`` if the maximum stays reachable, else ``None``."""
    if state.at[w] == slot:
        state.fixed[w] = True
        return state
    if state.at[w] is not None and len(state.members[slot]) < state.capacity[slot]:
        # Room in the slot: moving w there loses nobody, so no copy or search is needed.
        state.put(w, slot)
        state.fixed[w] = True
        return state
    trial = state.copy()
    trial.put(w, slot)
    trial.fixed[w] = True
    if len(trial.members[slot]) > trial.capacity[slot]:
        movable = [m for m in trial.members[slot] if not trial.fixed[m]]
        if not movable:
            return None
        trial.put(max(movable), None)
    if trial.size() < best:
        for other in range(len(trial.at)):
            if trial.at[other] is None and not trial.fixed[other] and trial.augment(other):
                break
    return trial if trial.size() == best else None


def assign_officers(
    jobs: Sequence[int],
    officers: Sequence[int],
    busy: Sequence[frozenset[int]],
    in_ward: Sequence[frozenset[int]],
    prior: Sequence[int],
    current: Sequence[frozenset[int]] | None = None,
) -> list[int]:
    """One officer of a service for each placed walkabout.

    :param jobs: per placed walkabout, its slot index (walkabouts sharing a slot need
        different officers).
    :param officers: the service's officer ids.
    :param busy: per officer (in the order of ``officers``), the slot indices they are not
        free in. Every slot must have at least as many free officers as jobs in it.
    :param in_ward: per job, the ids of officers who work in its ward.
    :param prior: per officer, walkabouts they already have.
    :param current: per job, the officers it sends now (to keep where nothing is lost).
    :returns: per job, the officer sent: the sum of squared loads is smallest, then the number
        sent outside their ward, then the number not already sent.

    **The network.** A walkabout reaches an officer in two ways. Directly, for the few officers
    who work in its ward or are sent now, at their own cost, through the officer's *gate* for
    the slot (one walkabout a gate). Or through its slot's *pool* at the default cost (outside
    the ward, not kept): officers free in exactly the same slots form a class, and the pool
    passes at most as many walkabouts to a class's hub as the class has officers (to a class of
    one, through the officer's gate when there is one); the hub passes them on to any of its
    officers. Each officer's unit
    from load ℓ to ℓ+1 costs ``(n+1)²·(2ℓ+1)`` (convex), so the flow's cost is the objective.

    With one officer a class this is exactly the problem. With bigger classes it drops "no
    officer twice in one slot" for pooled walkabouts, so its optimum is at most the true one;
    the pooled walkabouts of a class are then handed to its officers slot by slot, each time
    to those with the most still to take (which always succeeds on a complete bipartite
    graph, Gale–Ryser). When that fits around the officers' direct walkabouts, the plan costs
    no more than the relaxed optimum, so it is optimal; when it does not, the problem is
    solved again with one officer a class.
    """
    if not jobs:
        return []
    grouped = _assign(jobs, officers, busy, in_ward, prior, current, grouped=True)
    if grouped is not None:
        return grouped
    exact = _assign(jobs, officers, busy, in_ward, prior, current, grouped=False)
    assert exact is not None
    return exact


def _assign(
    jobs: Sequence[int],
    officers: Sequence[int],
    busy: Sequence[frozenset[int]],
    in_ward: Sequence[frozenset[int]],
    prior: Sequence[int],
    current: Sequence[frozenset[int]] | None,
    *,
    grouped: bool,
) -> list[int] | None:
    """:func:`assign_officers` on one network: officers grouped into classes free at the
    same times, or (``grouped=False``) one officer a class. ``None`` when the grouped
    network's pooled walkabouts cannot be handed out around the direct ones."""
    n_jobs, n_off = len(jobs), len(officers)
    position = {o: i for i, o in enumerate(officers)}
    keep = current if current is not None else [frozenset()] * n_jobs
    # Lexicographic weights: all stickiness costs < one ward cost; all unit costs < one big.
    ward_weight = n_jobs + 1
    big = ward_weight * ward_weight
    used_slots = set(jobs)
    away = [busy[i] & used_slots for i in range(n_off)]

    # Classes of officers free in the same slots (singletons when not grouped).
    classes: list[list[int]] = []
    if grouped:
        by_key: dict[frozenset[int], int] = {}
        for i in range(n_off):
            if away[i] not in by_key:
                by_key[away[i]] = len(classes)
                classes.append([])
            classes[by_key[away[i]]].append(i)
    else:
        classes = [[i] for i in range(n_off)]
    class_of = [0] * n_off
    for k, members in enumerate(classes):
        for i in members:
            class_of[i] = k

    # The direct arcs: (job, officer index, cost).
    direct: list[tuple[int, int, int]] = []
    for j, slot in enumerate(jobs):
        for o in sorted(in_ward[j] | keep[j]):
            found = position.get(o)
            if found is not None and slot not in away[found]:
                cost = (0 if o in in_ward[j] else ward_weight) + (0 if o in keep[j] else 1)
                direct.append((j, found, cost))

    graph = FlowGraph(2 + n_jobs + n_off)
    source, sink = 0, 1
    job_node = range(2, 2 + n_jobs)
    off_node = range(2 + n_jobs, 2 + n_jobs + n_off)
    hub = [off_node[c[0]] if len(c) == 1 else graph.node() for c in classes]
    for k, members in enumerate(classes):
        if len(members) > 1:
            for i in members:
                graph.add(hub[k], off_node[i], n_jobs, 0)
    # An officer's gate in a slot takes one walkabout: where direct arcs meet the pool.
    gates: dict[tuple[int, int], int] = {}
    for j, i, _ in direct:
        if (i, jobs[j]) not in gates:
            gate = gates[(i, jobs[j])] = graph.node()
            graph.add(gate, off_node[i], 1, 0)
    # One pool per slot: to each class free then, at most one walkabout per officer.
    pool: dict[int, int] = {}
    pool_arcs: dict[int, list[tuple[int, int]]] = {}  # slot -> (arc id, class)
    for slot in sorted(used_slots):
        node = pool[slot] = graph.node()
        arcs = []
        for k, members in enumerate(classes):
            if slot in away[members[0]]:
                continue
            if len(members) == 1:
                target = gates.get((members[0], slot), hub[k])
                arcs.append((graph.add(node, target, 1, 0), k))
            else:
                arcs.append((graph.add(node, hub[k], len(members), 0), k))
        pool_arcs[slot] = arcs

    pooled_arc = []
    for j, slot in enumerate(jobs):
        graph.add(source, job_node[j], 1, 0)
        pooled_arc.append(graph.add(job_node[j], pool[slot], 1, ward_weight + 1))
    direct_arcs = [
        (graph.add(job_node[j], gates[(i, jobs[j])], 1, cost), j, i) for j, i, cost in direct
    ]

    graph.convex = {off_node[i]: i for i in range(n_off)}
    graph.load = list(prior)
    graph.price = lambda ell: big * (2 * ell + 1)
    graph.min_cost_flow(source, sink, n_jobs)

    result = [-1] * n_jobs
    direct_slots: list[set[int]] = [set() for _ in range(n_off)]
    for e, j, i in direct_arcs:
        if graph.cap[e] == 0:
            result[j] = i
            direct_slots[i].add(jobs[j])
    waiting: dict[int, list[int]] = defaultdict(list)  # slot -> pooled jobs
    for j, e in enumerate(pooled_arc):
        if graph.cap[e] == 0:
            waiting[jobs[j]].append(j)
    pooled: dict[tuple[int, int], list[int]] = {}  # (class, slot) -> jobs
    for slot, queue in waiting.items():
        for e, k in pool_arcs[slot]:
            taken = graph.cap[e ^ 1]
            if taken and len(classes[k]) == 1:
                for _ in range(taken):
                    result[queue.pop()] = classes[k][0]
            elif taken:
                pooled[(k, slot)] = [queue.pop() for _ in range(taken)]
    for k, members in enumerate(classes):
        if len(members) == 1:
            continue
        # How many pooled walkabouts each officer takes: the flow on its hub arc.
        flows = graph.flows_from(hub[k])
        take = {i: flows.get(off_node[i], 0) for i in members}
        slots = sorted((s for kk, s in pooled if kk == k), key=lambda s: (-len(pooled[(k, s)]), s))
        for slot in slots:
            queue = pooled[(k, slot)]
            ready = sorted(
                (i for i in members if take[i] > 0 and slot not in direct_slots[i]),
                key=lambda i: (-take[i], i),
            )
            if len(ready) < len(queue):
                return None
            for j, i in zip(queue, ready, strict=False):
                result[j] = i
                take[i] -= 1
        assert not any(take.values())
    if any(r < 0 for r in result):
        raise AssertionError("a walkabout of the service has no officer")
    return [officers[i] for i in result]
