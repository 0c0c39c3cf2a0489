"""The min-cost flow behind the rota's officer assignment: a residual graph with integer
capacities and convex arcs into the sink, solved by the primal-dual method
(:meth:`FlowGraph.min_cost_flow`). It knows nothing of walkabouts or officers;
:func:`kdc_core.calendar.rota.solve.assign_officers` builds the network."""

from __future__ import annotations

import heapq
from collections.abc import Callable


class FlowGraph:
    """A residual graph with integer capacities, plus one uncapacitated arc from each node in
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

    def add(self, u: int, v: int, cap: int, cost: int) -> int:
        """An arc ``u → v``; returns its id (its reverse is id ^ 1)."""
        e = len(self.to)
        self.adj[u].append(e)
        self.adj[v].append(e + 1)
        self.to += (v, u)
        self.cap += (cap, 0)
        self.cost += (cost, -cost)
        return e

    def _parts(
        self,
    ) -> tuple[
        list[list[int]],
        list[int],
        list[int],
        list[int],
        dict[int, int],
        list[int],
        Callable[[int], int],
    ]:
        """The graph's lists, for local names in the hot loops."""
        return self.adj, self.to, self.cap, self.cost, self.convex, self.load, self.price

    def flows_from(self, u: int) -> dict[int, int]:
        """Node → the flow on the arc from ``u`` to it (the capacity of its reverse)."""
        return {self.to[e]: self.cap[e ^ 1] for e in self.adj[u] if not e & 1}

    def min_cost_flow(self, source: int, sink: int, units: int) -> None:
        """Send ``units`` from ``source`` to ``sink`` at least cost (primal-dual).

        Each round runs Dijkstra on reduced costs until it settles the sink, raises every
        node's potential by the smaller of its distance and the sink's (reduced costs stay
        non-negative), then sends units along paths of zero reduced cost — all shortest — by
        depth-first search with a current arc per node, until none is left; then the next
        round. Every unit goes along a shortest path, as in successive shortest paths, but one
        Dijkstra serves every path of the same length."""
        n = len(self.adj)
        potential = [0] * n
        adj, to, cap, cost, convex, load, price = self._parts()
        push, pop = heapq.heappush, heapq.heappop
        sent = 0
        while sent < units:
            dist: list[int | None] = [None] * n
            dist[source] = 0
            done = bytearray(n)
            heap = [(0, source)]
            while heap:
                d, u = pop(heap)
                if done[u]:
                    continue
                done[u] = 1
                if u == sink:
                    break
                here = d + potential[u]
                for e in adj[u]:
                    if cap[e] > 0:
                        v = to[e]
                        if not done[v]:
                            nd = here + cost[e] - potential[v]
                            known = dist[v]
                            if known is None or nd < known:
                                dist[v] = nd
                                push(heap, (nd, v))
                if u in convex:
                    nd = here + price(load[convex[u]]) - potential[sink]
                    known = dist[sink]
                    if known is None or nd < known:
                        dist[sink] = nd
                        push(heap, (nd, sink))
            limit = dist[sink]
            if limit is None:
                raise AssertionError("the service cannot cover every walkabout")
            for v, reached in enumerate(dist):
                potential[v] += limit if reached is None or reached > limit else reached
            sent += self._augment(source, sink, units - sent, potential)

    def _augment(self, source: int, sink: int, most: int, potential: list[int]) -> int:
        """Send up to ``most`` units along arcs of zero reduced cost; how many were sent."""
        adj, to, cap, cost, convex, load, price = self._parts()
        n = len(adj)
        pointer = [0] * n
        dead = bytearray(n)
        on_path = bytearray(n)
        sent = 0
        sink_potential = potential[sink]
        while sent < most:
            stack = [source]
            arcs: list[int] = []  # arc ids along the path; -1 for a convex arc into the sink
            on_path[source] = 1
            while stack and stack[-1] != sink:
                u = stack[-1]
                out = adj[u]
                here = potential[u]
                at, end = pointer[u], len(out)
                while at < end:
                    e = out[at]
                    v = to[e]
                    if (
                        cap[e] > 0
                        and not dead[v]
                        and not on_path[v]
                        and cost[e] + here == potential[v]
                    ):
                        break
                    at += 1
                pointer[u] = at
                if at < end:
                    arcs.append(e)
                    stack.append(v)
                    on_path[v] = 1
                    continue
                if u in convex and price(load[convex[u]]) + here == sink_potential:
                    arcs.append(-1)
                    stack.append(sink)
                    break
                dead[u] = 1
                on_path[u] = 0
                stack.pop()
                if arcs:
                    arcs.pop()
                if stack:
                    pointer[stack[-1]] += 1
            if not stack:
                break
            for u, e in zip(stack, arcs, strict=False):
                if e == -1:
                    load[convex[u]] += 1
                else:
                    cap[e] -= 1
                    cap[e ^ 1] += 1
            for u in stack:
                on_path[u] = 0
            sent += 1
        return sent
