"""How the network changes: after removing entities (what-if of arrests) and between
two time windows (who rose, who fell after an arrest or a seizure).

- ``whatif`` compares the graph with and without a set of entities: components, the
  largest component, fragmentation (Borgatti's F) and reach — the mean share of the
  other entities each entity can still reach (Σ sᵢ(sᵢ−1) / (N(N−1)), i.e. 1 − F, on
  the entities that remain) — plus the entities cut off from the largest component;
- ``windows`` compares centrality in two windows of edge dates and ranks the entities
  by how much their betweenness and degree changed.

Invariant: both only ever look at the graph they are given (one clearance level).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from puente.errors import InvalidInput
from puente.network.analytics import actors, betweenness, degree
from puente.network.graph import NetworkGraph
from puente.network.kpp import fragmentation


@dataclass(frozen=True)
class Shape:
    entities: int
    edges: int
    components: int
    largest: int
    fragmentation: float
    reach: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def shape(graph: NetworkGraph) -> Shape:
    g = graph.simple
    sizes = g.connected_components().sizes() if g.vcount() else []
    frag = fragmentation(g)
    return Shape(g.vcount(), g.ecount(), len(sizes), max(sizes, default=0), frag, 1.0 - frag)


def whatif(graph: NetworkGraph, removed: Sequence[str]) -> dict[str, Any]:
    missing = [r for r in removed if r not in graph.index]
    if missing:
        raise InvalidInput("network.not_in_graph", id=missing[0][:200])
    after = graph.without(removed)
    parts = graph.simple.connected_components()
    giant = max(parts, key=len) if len(parts) else []
    gone = set(removed)
    survivors = [graph.ids[v] for v in giant if graph.ids[v] not in gone]
    rest = after.simple.connected_components()
    still = {after.ids[v] for v in max(rest, key=len)} if len(rest) else set()
    cut_off = sorted(e for e in survivors if e not in still)
    return {
        "removed": list(removed),
        "before": shape(graph).to_dict(),
        "after": shape(after).to_dict(),
        "cut_off": cut_off,
    }


@dataclass(frozen=True)
class Mover:
    id: str
    caption: str
    betweenness: tuple[float, float]
    degree: tuple[int, int]

    @property
    def change(self) -> float:
        return self.betweenness[1] - self.betweenness[0]

    @property
    def degree_change(self) -> int:
        return self.degree[1] - self.degree[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "caption": self.caption,
            "betweenness": [round(b, 6) for b in self.betweenness],
            "degree": list(self.degree),
            "change": round(self.change, 6),
            "degree_change": self.degree_change,
        }


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value[:10])
    except ValueError as exc:
        raise InvalidInput("network.bad_date", value=value[:40]) from exc


def around(at: str, days: int) -> tuple[tuple[str, str], tuple[str, str]]:
    """The windows of ``days`` days before and after ``at`` (an arrest, a seizure)."""
    if not 1 <= days <= 3660:
        raise InvalidInput("network.bad_days", value=days)
    d = _day(at)
    before = ((d - timedelta(days=days)).isoformat(), (d - timedelta(days=1)).isoformat())
    return before, (d.isoformat(), (d + timedelta(days=days)).isoformat())


def windows(
    graph: NetworkGraph,
    first: tuple[str, str],
    second: tuple[str, str],
    *,
    limit: int = 20,
    samples: int = 100,
) -> dict[str, Any]:
    """Centrality in each window and the entities that rose and fell most between them."""
    for a, b in (first, second):
        if _day(a) > _day(b):
            raise InvalidInput("network.bad_window", since=a, until=b)
    stats: list[dict[str, tuple[float, int]]] = []
    shapes = []
    for since, until in (first, second):
        view = graph.view(since=since, until=until)
        btw, _ = betweenness(view, samples, endpoints=actors(view))
        deg = degree(view)
        stats.append({e: (btw[i], deg[i]) for i, e in enumerate(view.ids)})
        shapes.append(shape(view).to_dict())
    ids = sorted(set(stats[0]) | set(stats[1]))
    rows = []
    for e in ids:
        b0, d0 = stats[0].get(e, (0.0, 0))
        b1, d1 = stats[1].get(e, (0.0, 0))
        rows.append(Mover(e, graph.entity(e).caption, (b0, b1), (d0, d1)))
    rows.sort(key=lambda r: (-r.change, -r.degree_change, r.id))
    rose = [r.to_dict() for r in rows if r.change > 0 or r.degree_change > 0][:limit]
    fell = [r.to_dict() for r in reversed(rows) if r.change < 0 or r.degree_change < 0][:limit]
    return {
        "windows": [list(first), list(second)],
        "shape": shapes,
        "rose": rose,
        "fell": fell,
        "appeared": [e for e in ids if e not in stats[0]][:limit],
        "vanished": [e for e in ids if e not in stats[1]][:limit],
    }
