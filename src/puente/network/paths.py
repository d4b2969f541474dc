"""Paths between entities and neighbourhoods around them, counted in hops.

A path's ends may be given as several vertices (an entity, or every end of an edge
record such as a seizure): the path found is the shortest between any start and any
end. ``k_shortest`` follows Yen's algorithm as igraph implements it (loopless paths in
increasing length). Invariant: results only name vertices of the graph given, so they
never cross the clearance the graph was built for.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence

import igraph as ig
import numpy as np

from puente.network.graph import NetworkGraph

MAX_K = 20


def shortest(g: ig.Graph, starts: Sequence[int], ends: Sequence[int]) -> list[int]:
    """One shortest path from any of ``starts`` to any of ``ends``; [] when none."""
    best: list[int] = []
    targets = sorted(set(ends))
    for s in sorted(set(starts)):
        if s in targets:
            return [s]
        with warnings.catch_warnings():  # igraph warns about unreachable targets
            warnings.simplefilter("ignore", RuntimeWarning)
            these = g.get_shortest_paths(s, to=targets, output="vpath")
        for path in these:
            if path and (not best or len(path) < len(best)):
                best = [int(v) for v in path]
    return best


def k_shortest(g: ig.Graph, starts: Sequence[int], ends: Sequence[int], k: int) -> list[list[int]]:
    """Up to ``k`` loopless paths from the starts to the ends, shortest first."""
    k = max(1, min(k, MAX_K))
    found: list[list[int]] = []
    for s in sorted(set(starts)):
        for t in sorted(set(ends)):
            if s == t:
                found.append([s])
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                these = g.get_k_shortest_paths(s, to=t, k=k, output="vpath")
            for path in these:
                if path:
                    found.append([int(v) for v in path])
    found.sort(key=lambda p: (len(p), p))
    unique: list[list[int]] = []
    for p in found:
        if p not in unique:
            unique.append(p)
    return unique[:k]


def neighbourhood(
    graph: NetworkGraph,
    focus: Iterable[str],
    hops: int,
    *,
    kinds: Iterable[str] | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 2_000,
) -> NetworkGraph:
    """The entities within ``hops`` of ``focus`` over the edges the filters let through,
    and the edges among them; stops adding a ring once ``limit`` entities are reached."""
    filtered = graph.view(kinds=kinds, since=since, until=until, keep=focus)
    g = filtered.simple
    seen = {filtered.index[f] for f in focus if f in filtered.index}
    ring = set(seen)
    for _ in range(max(0, hops)):
        nxt: set[int] = set()
        for v in ring:
            nxt.update(g.neighbors(v))
        nxt -= seen
        if not nxt or len(seen) + len(nxt) > limit:
            if nxt and len(seen) < limit:
                seen.update(sorted(nxt)[: limit - len(seen)])
            break
        seen |= nxt
        ring = nxt
    keep = {filtered.ids[v] for v in seen}
    e = filtered.edges
    inside = np.zeros(filtered.n, dtype=bool)
    inside[list(seen)] = True
    mask = inside[e.src] & inside[e.dst]
    return filtered.restrict(mask, keep)
