"""Borgatti's key-player sets (2006): whom to remove to fragment the network most
(KPP-Neg) and whom to reach it through (KPP-Pos), by greedy choice then local swaps.

- KPP-Neg maximises fragmentation F = 1 − Σ sᵢ(sᵢ−1) / (N(N−1)) over the components
  sᵢ left among the N remaining vertices (F = 0: one connected whole; 1: all isolated);
- KPP-Pos maximises reach: the share of the other vertices within ``hops`` of the set.

Candidates for KPP-Neg are the ``CANDIDATES`` vertices of highest betweenness plus the
articulation points among the highest-degree ones, which keeps each evaluation (a
components pass) to a bounded number; swaps continue while one improves the score, up
to ``MAX_ROUNDS`` rounds. Invariant: deterministic for a graph (ties go to lower index).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import igraph as ig

CANDIDATES = 40
MAX_ROUNDS = 3


@dataclass(frozen=True)
class KeySet:
    members: tuple[int, ...]
    score: float
    baseline: float


def fragmentation(g: ig.Graph, removed: Sequence[int] = ()) -> float:
    n: int = g.vcount() - len(set(removed))
    if n <= 1:
        return 1.0
    h = g.copy()
    h.delete_vertices(sorted(set(removed)))
    sizes = h.connected_components().sizes()
    return 1.0 - float(sum(s * (s - 1) for s in sizes)) / (n * (n - 1))


def _candidates(g: ig.Graph, betweenness: Sequence[float]) -> list[int]:
    by_btw = sorted(range(g.vcount()), key=lambda v: (-betweenness[v], v))[:CANDIDATES]
    cut = set(g.articulation_points())
    by_deg = sorted(cut, key=lambda v: (-g.degree(v), v))[: CANDIDATES // 2]
    return sorted(set(by_btw) | set(by_deg))


def kpp_neg(g: ig.Graph, k: int, betweenness: Sequence[float]) -> KeySet:
    k = min(k, max(g.vcount() - 1, 0))
    cands = _candidates(g, betweenness)
    chosen: list[int] = []
    best = fragmentation(g)
    baseline = best
    for _ in range(k):
        scored = [(fragmentation(g, [*chosen, c]), -c) for c in cands if c not in chosen]
        if not scored:
            break
        best, neg = max(scored)
        chosen.append(-neg)
    for _ in range(MAX_ROUNDS):
        improved = False
        for i in range(len(chosen)):
            for c in cands:
                if c in chosen:
                    continue
                trial = [*chosen[:i], c, *chosen[i + 1 :]]
                score = fragmentation(g, trial)
                if score > best + 1e-12:
                    best, chosen, improved = score, trial, True
        if not improved:
            break
    return KeySet(tuple(chosen), best, baseline)


def _reach_sets(g: ig.Graph, hops: int) -> list[set[int]]:
    return [set(ns) for ns in g.neighborhood(order=hops)]


def reach(g: ig.Graph, members: Sequence[int], hops: int = 1) -> float:
    n: int = g.vcount()
    if n <= len(members):
        return 1.0
    covered: set[int] = set()
    for ns in g.neighborhood(vertices=list(members), order=hops):
        covered.update(ns)
    return float(len(covered) - len(set(members))) / (n - len(set(members)))


def kpp_pos(g: ig.Graph, k: int, hops: int = 1) -> KeySet:
    """Greedy maximum coverage of ``hops``-neighbourhoods, then swaps."""
    n: int = g.vcount()
    k = min(k, n)
    sets = _reach_sets(g, hops)
    order = sorted(range(n), key=lambda v: (-len(sets[v]), v))
    pool = order[: max(CANDIDATES * 5, k)]
    covered: set[int] = set()
    chosen: list[int] = []
    for _ in range(k):
        gain = [(len(sets[v] - covered), -v) for v in pool if v not in chosen]
        if not gain:
            break
        _, neg = max(gain)
        chosen.append(-neg)
        covered |= sets[-neg]
    best = reach(g, chosen, hops)
    for _ in range(MAX_ROUNDS):
        improved = False
        for i in range(len(chosen)):
            for c in pool[: CANDIDATES * 2]:
                if c in chosen:
                    continue
                trial = [*chosen[:i], c, *chosen[i + 1 :]]
                score = reach(g, trial, hops)
                if score > best + 1e-12:
                    best, chosen, improved = score, trial, True
        if not improved:
            break
    return KeySet(tuple(chosen), best, 0.0)
