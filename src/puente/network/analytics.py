"""Components, communities and centrality on a ``NetworkGraph``'s simple graph.

Choices (each documented in docs/network.md):
- communities: igraph's Leiden on modularity with the tie weights, run until it
  converges on small graphs and for ``LEIDEN_ITERATIONS`` passes on large ones, seeded,
  so the same graph gives the same partition;
- betweenness counts hops (a courier who links two cells matters however often they
  call); exact below ``EXACT_LIMIT`` vertices, otherwise estimated from ``samples``
  pivot sources (Brandes & Pich 2007: the pivots' dependencies scaled by n / k);
- eigenvector centrality uses the tie weights, per connected component is not needed:
  igraph computes it on the whole graph (small components get values near zero).

Invariant: every function is deterministic for a given graph and seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import igraph as ig

from puente.network.graph import NetworkGraph

EXACT_LIMIT = 5_000
LEIDEN_ITERATIONS = 2
SMALL = 50_000


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """igraph draws from Python's ``random``; give it a private, seeded generator."""
    ig.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)


def components(graph: NetworkGraph) -> list[list[str]]:
    """Connected components, largest first, each as sorted entity ids."""
    parts = graph.simple.connected_components()
    out = [sorted(graph.ids[v] for v in part) for part in parts]
    out.sort(key=lambda c: (-len(c), c[0] if c else ""))
    return out


def leiden(graph: NetworkGraph, seed: int = 1, resolution: float = 1.0) -> list[int]:
    """A community label per vertex (labels are arbitrary; ``stable`` names them)."""
    g = graph.simple
    if g.vcount() == 0:
        return []
    iterations = -1 if g.vcount() <= SMALL else LEIDEN_ITERATIONS
    with seeded(seed):
        part = g.community_leiden(
            objective_function="modularity",
            weights="weight",
            resolution=resolution,
            n_iterations=iterations,
        )
    return [int(x) for x in part.membership]


def degree(graph: NetworkGraph) -> list[int]:
    return [int(d) for d in graph.simple.degree()]


def strength(graph: NetworkGraph) -> list[float]:
    return [float(s) for s in graph.simple.strength(weights="weight")]


def betweenness(graph: NetworkGraph, samples: int = 100, seed: int = 1) -> tuple[list[float], bool]:
    """Normalised betweenness (0..1) per vertex and whether it is exact."""
    g = graph.simple
    n = g.vcount()
    if n < 3:
        return [0.0] * n, True
    scale = 2.0 / ((n - 1) * (n - 2))
    if n <= EXACT_LIMIT or samples >= n:
        values = g.betweenness(directed=False)
        return [float(v) * scale for v in values], True
    pivots = random.Random(seed).sample(range(n), samples)
    values = g.betweenness(directed=False, sources=pivots)
    # The subset variant with every vertex as a source equals the exact value, so the
    # pivots' sum scaled by n / k estimates it without bias.
    factor = n / samples * scale
    return [float(v) * factor for v in values], False


def eigenvector(graph: NetworkGraph) -> list[float]:
    g = graph.simple
    if g.ecount() == 0:
        return [0.0] * g.vcount()
    return [float(v) for v in g.eigenvector_centrality(weights="weight", scale=True)]


@dataclass(frozen=True)
class Centrality:
    id: str
    caption: str
    schema: str
    degree: int
    strength: float
    betweenness: float
    eigenvector: float


def centrality(
    graph: NetworkGraph, samples: int = 100, seed: int = 1
) -> tuple[list[Centrality], bool]:
    """Every entity's centralities, by betweenness then degree, and whether exact."""
    deg, stren, eig = degree(graph), strength(graph), eigenvector(graph)
    btw, exact = betweenness(graph, samples, seed)
    rows = [
        Centrality(e.id, e.caption, e.schema, deg[i], stren[i], btw[i], eig[i])
        for i, e in enumerate(graph.entities)
    ]
    rows.sort(key=lambda c: (-c.betweenness, -c.degree, c.id))
    return rows, exact
