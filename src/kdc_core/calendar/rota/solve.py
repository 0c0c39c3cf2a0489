"""The two exact steps behind :func:`kdc_core.calendar.rota.plan_rota`, on plain integers.

- :func:`choose_slots`: walkabouts → slots with capacities. The most walkabouts placed, then the
  lexicographically smallest vector of candidate positions in priority order.
- :func:`assign_officers`: one service's officers → the placed walkabouts. Smallest sum of
  squared loads, then fewest officers outside their ward; min-cost flow by successive shortest
  paths with Dijkstra on reduced costs.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Sequence

import attrs


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
    free: Sequence[frozenset[int]],
    in_ward: Sequence[frozenset[int]],
    prior: Sequence[int],
    current: Sequence[frozenset[int]] | None = None,
) -> list[int]:
    """One officer of a service for each placed walkabout.

    :param jobs: per placed walkabout, its slot index (walkabouts sharing a slot need
        different officers).
    :param officers: the service's officer ids.
    :param free: per slot index, the ids of the service's officers free then. Every slot must
        have at least as many free officers as jobs in it.
    :param in_ward: per job, the ids of officers who work in its ward.
    :param prior: per officer, walkabouts they already have.
    :param current: per job, the officers it sends now (to keep where nothing is lost).
    :returns: per job, the officer sent: the sum of squared loads is smallest, then the number
        sent outside their ward, then the number not already sent.
    """
    if not jobs:
        return []
    n_jobs, n_off = len(jobs), len(officers)
    position = {o: i for i, o in enumerate(officers)}
    keep = current if current is not None else [frozenset()] * n_jobs
    # Lexicographic weights: all stickiness costs < one ward cost; all unit costs < one big.
    ward_weight = n_jobs + 1
    big = ward_weight * ward_weight
    # Nodes: 0 source, 1 sink, jobs, officers, then (officer, slot) gates for shared slots.
    source, sink = 0, 1
    job_node = [2 + j for j in range(n_jobs)]
    off_node = [2 + n_jobs + i for i in range(n_off)]
    graph = _Graph(2 + n_jobs + n_off)
    shared = {s for s in set(jobs) if jobs.count(s) > 1}
    gates: dict[tuple[int, int], int] = {}
    job_edges: list[list[tuple[int, int]]] = []  # per job: (edge id, officer index)
    for j, slot in enumerate(jobs):
        graph.add(source, job_node[j], 0)
        edges = []
        for officer in officers:
            if officer not in free[slot]:
                continue
            i = position[officer]
            cost = (0 if officer in in_ward[j] else ward_weight) + (0 if officer in keep[j] else 1)
            if slot in shared:
                if (i, slot) not in gates:
                    gates[(i, slot)] = graph.node()
                    graph.add(gates[(i, slot)], off_node[i], 0)
                edges.append((graph.add(job_node[j], gates[(i, slot)], cost), i))
            else:
                edges.append((graph.add(job_node[j], off_node[i], cost), i))
        job_edges.append(edges)
    graph.convex = {off_node[i]: i for i in range(n_off)}
    graph.load = list(prior)
    graph.price = lambda ell: big * (2 * ell + 1)
    graph.min_cost_flow(source, sink, n_jobs)
    result = []
    for j in range(n_jobs):
        used = [i for e, i in job_edges[j] if graph.cap[e] == 0]
        if len(used) != 1:
            raise AssertionError(f"walkabout {j} of the service has no officer")
        result.append(officers[used[0]])
    return result


class _Graph:
    """A residual graph: unit-capacity arcs, plus one uncapacitated arc from each node in
    ``convex`` to the sink whose next unit costs ``price(load)`` at the node's current load
    (an increasing price, so the arc is convex). Paths stop at the sink, so the reverse of a
    convex arc is never needed."""

    def __init__(self, nodes: int) -> None:
        self.adj: list[list[int]] = [[] for _ in range(nodes)]
        self.to: list[int] = []
        self.cap: list[int] = []
        self.cost: list[int] = []
        self.convex: dict[int, int] = {}  # node -> index into load
        self.load: list[int] = []
        self.price: Callable[[int], int] = lambda ell: 0

    def node(self) -> int:
        self.adj.append([])
        return len(self.adj) - 1

    def add(self, u: int, v: int, cost: int) -> int:
        """A unit-capacity arc ``u → v``; returns its id (its reverse is id ^ 1)."""
        for a, b, c, k in ((u, v, cost, 1), (v, u, -cost, 0)):
            self.adj[a].append(len(self.to))
            self.to.append(b)
            self.cap.append(k)
            self.cost.append(c)
        return len(self.to) - 2

    def min_cost_flow(self, source: int, sink: int, units: int) -> None:
        """Send ``units`` along successive shortest paths (Dijkstra on reduced costs).

        Each search stops when it settles the sink; every node then gains the smaller of its
        distance and the sink's as potential, which keeps reduced costs non-negative."""
        potential = [0] * len(self.adj)
        adj, to, cap, cost, convex, load = (
            self.adj,
            self.to,
            self.cap,
            self.cost,
            self.convex,
            self.load,
        )
        for _ in range(units):
            dist: list[int | None] = [None] * len(self.adj)
            back: list[tuple[int, int | None]] = [(-1, None)] * len(self.adj)
            dist[source] = 0
            heap = [(0, source)]
            while heap:
                d, u = heapq.heappop(heap)
                if d != dist[u]:
                    continue
                if u == sink:
                    break
                here = d + potential[u]
                arcs: list[tuple[int, int, int | None]] = [
                    (to[e], cost[e], e) for e in adj[u] if cap[e] > 0
                ]
                if u in convex:
                    arcs.append((sink, self.price(load[convex[u]]), None))
                for v, c, e in arcs:
                    nd = here + c - potential[v]
                    known = dist[v]
                    if known is None or nd < known:
                        dist[v] = nd
                        back[v] = (u, e)
                        heapq.heappush(heap, (nd, v))
            limit = dist[sink]
            if limit is None:
                raise AssertionError("the service cannot cover every walkabout")
            for v, reached in enumerate(dist):
                potential[v] += limit if reached is None else min(reached, limit)
            node = sink
            while node != source:
                u, arc = back[node]
                if arc is None:  # the convex arc into the sink: one more unit of load
                    load[convex[u]] += 1
                else:
                    cap[arc] -= 1
                    cap[arc ^ 1] += 1
                node = u
