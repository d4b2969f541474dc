"""The compiled kernels against igraph on small random graphs: components, subset
betweenness, and both paths of ``analytics.betweenness`` (exact, sampled)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from puente.network import analytics, brandes
from puente.network.graph import Entity, NetworkGraph, from_rows


def _random(seed: int, n: int, m: int, things: float = 0.3) -> NetworkGraph:
    """A multigraph of ``n`` entities (some of them things, not endpoints) with several
    components: ``m`` random edges inside blocks of 4–40 vertices, repeats and both
    directions included."""
    rng = random.Random(seed)
    ents = [Entity(f"v{i:03d}", "Firearm" if rng.random() < things else "Person", f"v{i}",
                   ("MEX",), 1, (f"v{i}",)) for i in range(n)]  # fmt: skip
    cuts, at = [], 0
    while at < n:
        cuts.append(at)
        at += rng.randint(4, 40)
    rows = []
    for _ in range(m):
        lo = rng.choice(cuts)
        hi = min(next((c for c in cuts if c > lo), n), n)
        a, b = rng.randrange(lo, hi), rng.randrange(lo, hi)
        rows.append((ents[a].id, ents[b].id, "call", True, 1.0, None, f"r{len(rows)}", 1))
    return from_rows(ents, rows)


@pytest.mark.parametrize("seed", range(8))
def test_subset_kernel_is_igraphs_subset_betweenness(seed: int) -> None:
    rng = random.Random(seed)
    g = _random(seed, rng.randint(20, 120), rng.randint(30, 400))
    n = g.n
    indptr, indices = g.csr
    targets = sorted(rng.sample(range(n), rng.randint(3, n)))
    sources = sorted(rng.sample(targets, rng.randint(1, len(targets))))
    mask = np.zeros(n, dtype=bool)
    mask[targets] = True
    ours = brandes.subset(indptr, indices, np.array(sources), np.ones(len(sources)), mask)
    theirs = g.simple.betweenness(directed=False, sources=sources, targets=targets)
    assert ours.tolist() == pytest.approx(theirs, abs=1e-9)
    # weights scale each source's contribution
    twice = brandes.subset(indptr, indices, np.array(sources), np.full(len(sources), 2.0), mask)
    assert twice.tolist() == pytest.approx([2 * x for x in theirs], abs=1e-9)


def test_components_kernel_is_igraphs_partition() -> None:
    g = _random(11, 300, 500)
    label = brandes.components(*g.csr)
    ours = sorted(sorted(np.flatnonzero(label == c).tolist()) for c in set(label.tolist()))
    theirs = sorted(sorted(c) for c in g.simple.connected_components())
    assert ours == theirs
    firsts = [int(np.flatnonzero(label == c)[0]) for c in range(int(label.max()) + 1)]
    assert firsts == sorted(firsts)  # numbered in the order of their smallest vertex


@pytest.mark.parametrize("seed", range(4))
def test_exact_betweenness_is_igraphs_between_endpoints(seed: int) -> None:
    g = _random(100 + seed, 150, 400)
    ends = analytics.actors(g)
    ours, exact = analytics.betweenness(g, endpoints=ends)
    assert exact
    a = len(ends)
    raw = g.simple.betweenness(directed=False, sources=ends, targets=ends)
    # components with fewer than three endpoints hold no pair with a middle endpoint,
    # so skipping them changes nothing
    assert ours == pytest.approx([x * 2 / ((a - 1) * (a - 2)) for x in raw], abs=1e-12)
    assert max(ours) > 0


def test_sampled_betweenness_is_igraphs_from_the_same_pivots(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    g = _random(7, 400, 1500, things=0.2)
    ends = analytics.actors(g)
    monkeypatch.setattr(analytics, "EXACT_LIMIT", 12)
    p = analytics.plan(g, samples=5, seed=3, endpoints=ends)
    assert not p.exact
    membership = g.simple.connected_components().membership
    is_end = set(ends)
    expected = np.zeros(g.n)
    by_comp: dict[int, list[int]] = {}
    for v in p.sources.tolist():
        by_comp.setdefault(membership[v], []).append(v)
    sampled = 0
    for comp, sources in by_comp.items():
        members = [v for v in range(g.n) if membership[v] == comp and v in is_end]
        assert set(sources) <= set(members)
        weight = {float(w) for v, w in zip(p.sources, p.weights, strict=True) if v in sources}
        if len(members) > 12:  # sampled: 5 pivots, each weighing endpoints / pivots
            sampled += 1
            assert len(sources) == 5 and weight == {len(members) / 5}
        else:  # exact: every endpoint once
            assert sorted(sources) == members and weight == {1.0}
        raw = g.simple.betweenness(directed=False, sources=sources, targets=members)
        expected += np.array(raw) * weight.pop()
    assert sampled >= 2
    a = len(ends)
    ours, exact = analytics.betweenness(g, samples=5, seed=3, endpoints=ends)
    assert not exact
    assert ours == pytest.approx((expected * 2 / ((a - 1) * (a - 2))).tolist(), abs=1e-12)
    # deterministic for a seed; another seed draws other pivots
    assert analytics.betweenness(g, samples=5, seed=3, endpoints=ends)[0] == ours
    assert analytics.betweenness(g, samples=5, seed=4, endpoints=ends)[0] != ours


def test_threads_do_not_change_the_sums(monkeypatch: pytest.MonkeyPatch) -> None:
    g = _random(5, 500, 2000)
    ends = analytics.actors(g)
    inline, _ = analytics.betweenness(g, endpoints=ends)
    monkeypatch.setattr(brandes, "INLINE_WORK", 0)
    monkeypatch.setattr(brandes, "_cores", lambda: 2)
    threaded, _ = analytics.betweenness(g, endpoints=ends)
    assert threaded == inline  # the same chunks added in the same order, bit for bit


def test_an_isolated_or_empty_graph_has_no_brokers() -> None:
    empty = NetworkGraph([], from_rows([], []).edges)
    assert analytics.betweenness(empty) == ([], True)
    g = _random(3, 10, 0)
    assert analytics.betweenness(g) == ([0.0] * 10, True)
    assert len(analytics.components(g)) == 10


def test_leiden_alongside_betweenness_gives_both_unchanged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    g = _random(9, 600, 2500)
    ends = analytics.actors(g)
    alone = analytics.leiden(g), analytics.betweenness(g, endpoints=ends)[0]
    monkeypatch.setattr(brandes, "INLINE_WORK", 0)
    monkeypatch.setattr(brandes, "_cores", lambda: 2)
    labels, btw, exact = analytics.leiden_and_betweenness(g, endpoints=ends)
    assert (labels, btw) == alone and exact
