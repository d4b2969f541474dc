"""Components, communities and centrality on a ``NetworkGraph``'s simple graph.

Choices (each documented in docs/network.md):
- communities: igraph's Leiden on modularity with the tie weights, run until it
  converges on small graphs and for ``LEIDEN_ITERATIONS`` passes on large ones, seeded,
  so the same graph gives the same partition;
- betweenness counts hops (a courier who links two cells matters however often they
  call) on shortest paths between people and organisations — guns, vehicles and
  vessels are passed through but are not endpoints, so a buyer of twenty guns is not a
  "broker" of his own purchases; exact in every component of up to ``EXACT_LIMIT``
  endpoints, estimated in larger ones from ``samples`` pivots (Brandes & Pich 2007),
  searched by the compiled multi-source kernel of ``brandes`` on threads that hold no
  GIL — so ``leiden_and_betweenness`` and ``centrality`` run igraph (Leiden,
  eigenvector) on this thread meanwhile;
- eigenvector centrality uses the tie weights, per connected component is not needed:
  igraph computes it on the whole graph (small components get values near zero).

Invariant: every function is deterministic for a given graph and seed.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import igraph as ig
import numpy as np
import numpy.typing as npt

from puente.network import brandes
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
    kinds = {s: is_actor(s) for s in {e.schema for e in graph.entities}}
    return [i for i, e in enumerate(graph.entities) if kinds[e.schema]]


@dataclass(frozen=True)
class Plan:
    """Which endpoints betweenness searches from, and how much each search counts."""

    sources: npt.NDArray[np.int64]
    weights: npt.NDArray[np.float64]
    targets: npt.NDArray[np.bool_]
    exact: bool


def plan(
    graph: NetworkGraph, samples: int = 100, seed: int = 1, endpoints: Sequence[int] | None = None
) -> Plan:
    """Every endpoint of a component of up to ``EXACT_LIMIT`` endpoints (weight 1); in
    each larger component, taken in the order of their smallest vertex, ``samples``
    pivots drawn with ``random.Random(seed)`` from its endpoints in ascending order,
    each weighing endpoints / pivots. Components of fewer than 3 endpoints hold no
    brokerage and are skipped."""
    n = graph.n
    targets = np.zeros(n, dtype=bool)
    if endpoints is None:
        targets[:] = True
    else:
        targets[np.asarray(list(endpoints), dtype=np.int64)] = True
    indptr, indices = graph.csr
    label = brandes.components(indptr, indices)
    ends = np.flatnonzero(targets)
    counts = np.bincount(label[ends], minlength=int(label.max(initial=-1)) + 1)
    small = (counts >= 3) & ((counts <= EXACT_LIMIT) | (counts <= samples))
    large = np.flatnonzero((counts >= 3) & ~small)
    sources = [ends[small[label[ends]]]]
    weights = [np.ones(len(sources[0]))]
    rng = random.Random(seed)
    if len(large):
        in_large = ends[np.isin(label[ends], large)]
        by_comp = in_large[np.argsort(label[in_large], kind="stable")]
        bounds = np.cumsum(counts[large])[:-1]
        for comp in np.split(by_comp, bounds):
            pivots = rng.sample(comp.tolist(), samples)
            sources.append(np.array(pivots, dtype=np.int64))
            weights.append(np.full(samples, len(comp) / samples))
    return Plan(np.concatenate(sources), np.concatenate(weights), targets, not len(large))


def betweenness(
    graph: NetworkGraph,
    samples: int = 100,
    seed: int = 1,
    endpoints: Sequence[int] | None = None,
) -> tuple[list[float], bool]:
    """Normalised betweenness (0..1) per vertex over shortest paths between
    ``endpoints`` (default: every vertex), and whether it is exact.

    Shortest paths never leave a connected component, so the components are handled
    apart (``plan``): every component with up to ``EXACT_LIMIT`` endpoints exactly (a
    search from each endpoint only explores its own component); each larger one from
    ``samples`` pivots drawn among its endpoints, scaled by its endpoints / pivots
    (Brandes & Pich 2007). A planted network in a fragmented graph is thus measured
    exactly instead of being missed by 100 pivots drawn from the whole graph. The
    searches run in the compiled kernel (``brandes.subset``) on every core."""
    return _start_betweenness(graph, samples, seed, endpoints)()


def _start_betweenness(
    graph: NetworkGraph, samples: int, seed: int, endpoints: Sequence[int] | None
) -> Callable[[], tuple[list[float], bool]]:
    """``betweenness`` with its searches begun on other threads (``brandes.start``)."""
    n = graph.n
    a = n if endpoints is None else len(set(endpoints))
    if a < 3:
        return lambda: ([0.0] * n, True)
    p = plan(graph, samples, seed, endpoints)
    indptr, indices = graph.csr
    job = brandes.start(indptr, indices, p.sources, p.weights, p.targets)
    scale = 2.0 / ((a - 1) * (a - 2))
    return lambda: ((job() * scale).tolist(), p.exact)


def leiden_and_betweenness(
    graph: NetworkGraph,
    samples: int = 100,
    seed: int = 1,
    endpoints: Sequence[int] | None = None,
) -> tuple[list[int], list[float], bool]:
    """``leiden`` and ``betweenness`` at once: igraph's Leiden keeps this thread (and the
    GIL) while the compiled searches, which need no GIL, run on the others."""
    finish = _start_betweenness(graph, samples, seed, endpoints)
    labels = leiden(graph, seed)
    btw, exact = finish()
    return labels, btw, exact


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
    finish = _start_betweenness(graph, samples, seed, actors(graph))
    deg, stren, eig = degree(graph), strength(graph), eigenvector(graph)
    btw, exact = finish()
    rows = [
        Centrality(e.id, e.caption, e.schema, deg[i], stren[i], btw[i], eig[i])
        for i, e in enumerate(graph.entities)
    ]
    rows.sort(key=lambda c: (-c.betweenness, -c.degree, c.id))
    return rows, exact
