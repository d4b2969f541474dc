"""Components, communities and centrality on a ``NetworkGraph``'s simple graph.

Choices (each documented in docs/network.md):
- communities: igraph's Leiden on modularity with the tie weights, run until it
  converges on small graphs and for ``LEIDEN_ITERATIONS`` passes on large ones, seeded,
  so the same graph gives the same partition;
- betweenness counts hops (a courier who links two cells matters however often they
  call) on shortest paths between people and organisations — guns, vehicles and
  vessels are passed through but are not endpoints, so a buyer of twenty guns is not a
  "broker" of his own purchases; exact in every component of up to ``EXACT_LIMIT``
  endpoints, estimated in larger ones from ``samples`` pivots (Brandes & Pich 2007);
- eigenvector centrality uses the tie weights, per connected component is not needed:
  igraph computes it on the whole graph (small components get values near zero).

Invariant: every function is deterministic for a given graph and seed.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import igraph as ig

from puente.network.graph import NetworkGraph
from puente.network.relations import is_actor

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


def actors(graph: NetworkGraph) -> list[int]:
    """Vertices that are people or organisations (endpoints of brokerage)."""
    return [i for i, e in enumerate(graph.entities) if is_actor(e.schema)]


def betweenness(
    graph: NetworkGraph,
    samples: int = 100,
    seed: int = 1,
    endpoints: Sequence[int] | None = None,
) -> tuple[list[float], bool]:
    """Normalised betweenness (0..1) per vertex over shortest paths between
    ``endpoints`` (default: every vertex), and whether it is exact.

    Shortest paths never leave a connected component, so the components are handled
    apart: every component with up to ``EXACT_LIMIT`` endpoints exactly, in one call
    (a search from each endpoint only explores its own component); each larger one from
    ``samples`` pivots drawn among its endpoints, scaled by its endpoints / pivots
    (Brandes & Pich 2007). A planted network in a fragmented graph is thus measured
    exactly instead of being missed by 100 pivots drawn from the whole graph."""
    g = graph.simple
    n = g.vcount()
    wanted = set(range(n)) if endpoints is None else set(endpoints)
    a = len(wanted)
    if a < 3:
        return [0.0] * n, True
    scale = 2.0 / ((a - 1) * (a - 2))
    small: list[int] = []
    large: list[list[int]] = []
    for comp in g.connected_components():
        ends = [v for v in comp if v in wanted]
        if len(ends) < 3:
            continue
        if len(ends) <= EXACT_LIMIT or samples >= len(ends):
            small.extend(ends)
        else:
            large.append(ends)
    total = [0.0] * n
    if small:
        for v, x in enumerate(g.betweenness(directed=False, sources=small, targets=small)):
            total[v] += float(x)
    rng = random.Random(seed)
    for ends in large:
        pivots = rng.sample(ends, samples)
        # with every endpoint as a source the subset variant is the exact value, so the
        # pivots' sum scaled by endpoints / pivots estimates it without bias
        factor = len(ends) / samples
        for v, x in enumerate(g.betweenness(directed=False, sources=pivots, targets=ends)):
            total[v] += float(x) * factor
    return [x * scale for x in total], not large


def eigenvector(graph: NetworkGraph) -> list[float]:
    g = graph.simple
    if g.ecount() == 0:
        return [0.0] * g.vcount()
    with warnings.catch_warnings():  # igraph warns that disconnected graphs have zeros
        warnings.simplefilter("ignore", RuntimeWarning)
        values = g.eigenvector_centrality(weights="weight", scale=True)
    return [float(v) for v in values]


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
    btw, exact = betweenness(graph, samples, seed, actors(graph))
    rows = [
        Centrality(e.id, e.caption, e.schema, deg[i], stren[i], btw[i], eig[i])
        for i, e in enumerate(graph.entities)
    ]
    rows.sort(key=lambda c: (-c.betweenness, -c.degree, c.id))
    return rows, exact
