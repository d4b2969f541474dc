"""The network as analysed: entities (vertices) and typed, dated, weighted multi-edges
with provenance, plus the simple weighted igraph graph the algorithms run on.

Invariants:
- a ``NetworkGraph`` holds only what one clearance level may see: it is built by
  ``load.build_graph`` for that level, and every view of it (``view``, ``without``)
  only removes vertices and edges, never adds any;
- edges are kept column-wise (numpy arrays and lists of equal length), one row per
  relation read from a record (or per shared attribute); ``simple`` folds them into one
  undirected edge per pair of entities whose weight is the sum of theirs, self-loops
  dropped — that is the graph communities, centrality and paths are computed on; its
  edges are also kept as arrays (``pairs``) and as CSR (``csr``) for the compiled
  kernels of ``brandes``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import igraph as ig
import numpy as np
import numpy.typing as npt

from puente.network import brandes

Ints = npt.NDArray[np.int64]
# (source, target, kind, directed, weight, date, provenance, level)
Row = tuple[str, str, str, bool, float, str | None, str, int]
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Entity:
    id: str
    schema: str
    caption: str
    origins: tuple[str, ...]
    level: int  # the highest classification level among the records it was built from
    records: tuple[str, ...]


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str
    directed: bool
    weight: float
    date: str | None
    provenance: tuple[str, ...]
    level: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "kind": self.kind,
            "directed": self.directed,
            "weight": self.weight,
            "date": self.date,
            "provenance": list(self.provenance),
        }


@dataclass
class Edges:
    """Column-wise multi-edges between vertex indices."""

    src: Ints
    dst: Ints
    kind: Ints  # index into ``kinds``
    directed: npt.NDArray[np.bool_]
    weight: Floats
    level: Ints
    date: list[str]  # "" when undated
    provenance: list[str]  # record ids joined by ","
    kinds: list[str]

    def __len__(self) -> int:
        return len(self.src)

    def take(self, mask: npt.NDArray[np.bool_]) -> Edges:
        idx = np.flatnonzero(mask)
        return Edges(
            self.src[idx],
            self.dst[idx],
            self.kind[idx],
            self.directed[idx],
            self.weight[idx],
            self.level[idx],
            [self.date[i] for i in idx],
            [self.provenance[i] for i in idx],
            self.kinds,
        )

    def row(self, i: int, ids: Sequence[str]) -> Edge:
        return Edge(
            ids[int(self.src[i])],
            ids[int(self.dst[i])],
            self.kinds[int(self.kind[i])],
            bool(self.directed[i]),
            float(self.weight[i]),
            self.date[i] or None,
            tuple(self.provenance[i].split(",")),
            int(self.level[i]),
        )


class NetworkGraph:
    def __init__(self, entities: Sequence[Entity], edges: Edges) -> None:
        self.entities = list(entities)
        self.ids = [e.id for e in self.entities]
        self.index = {e: i for i, e in enumerate(self.ids)}
        self.edges = edges

    @property
    def n(self) -> int:
        return len(self.ids)

    def entity(self, eid: str) -> Entity:
        return self.entities[self.index[eid]]

    def edge_list(self) -> list[Edge]:
        return [self.edges.row(i, self.ids) for i in range(len(self.edges))]

    @cached_property
    def pairs(self) -> tuple[Ints, Ints, Floats]:
        """The simple graph's edges as ``(lo, hi, weight)`` arrays: one per pair of
        entities (lo < hi, sorted), weights summed, self-loops dropped."""
        n = max(self.n, 1)
        lo = np.minimum(self.edges.src, self.edges.dst)
        hi = np.maximum(self.edges.src, self.edges.dst)
        keep = lo != hi
        key = lo[keep] * n + hi[keep]
        pairs, inverse = np.unique(key, return_inverse=True)
        weights = np.bincount(inverse, weights=self.edges.weight[keep], minlength=len(pairs))
        return pairs // n, pairs % n, weights.astype(np.float64)

    @cached_property
    def simple(self) -> ig.Graph:
        """One undirected edge per pair (weights summed), vertex ``i`` = ``ids[i]``."""
        lo, hi, weights = self.pairs
        # igraph reads an edge list item by item: tuples of ints are its fastest input
        g = ig.Graph(n=self.n, edges=list(zip(lo.tolist(), hi.tolist(), strict=True)))
        g.es["weight"] = weights.tolist()
        return g

    @cached_property
    def csr(self) -> tuple[Ints, npt.NDArray[np.int32]]:
        """The simple graph as CSR (``indptr``, ``indices``) for the compiled kernels."""
        lo, hi, _ = self.pairs
        return brandes.csr(self.n, lo, hi)

    def view(
        self,
        *,
        kinds: Iterable[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        keep: Iterable[str] = (),
    ) -> NetworkGraph:
        """The edges of the given kinds within the dates (an undated edge passes only
        when no dates are asked), and the entities they touch plus ``keep``."""
        e = self.edges
        mask = np.ones(len(e), dtype=bool)
        if kinds is not None:
            wanted = {i for i, k in enumerate(e.kinds) if k in set(kinds)}
            mask &= np.isin(e.kind, list(wanted))
        if since or until:
            lo, hi = since or "", until or "\uffff"
            mask &= np.fromiter(
                (bool(d) and lo <= d[: len(lo) or None] and d[: len(hi)] <= hi for d in e.date),
                dtype=bool,
                count=len(e),
            )
        return self.restrict(mask, set(keep))

    def without(self, removed: Iterable[str]) -> NetworkGraph:
        """The graph with ``removed`` entities (and their edges) taken out."""
        gone = np.array(sorted({self.index[r] for r in removed if r in self.index}), dtype=np.int64)
        mask = ~(np.isin(self.edges.src, gone) | np.isin(self.edges.dst, gone))
        keep = {self.ids[i] for i in range(self.n)} - {self.ids[i] for i in gone}
        return self.restrict(mask, keep)

    def restrict(self, mask: npt.NDArray[np.bool_], keep: set[str]) -> NetworkGraph:
        e = self.edges.take(mask)
        used = np.zeros(self.n, dtype=bool)
        used[e.src] = True
        used[e.dst] = True
        for k in keep:
            if k in self.index:
                used[self.index[k]] = True
        old = np.flatnonzero(used)
        remap = np.full(self.n, -1, dtype=np.int64)
        remap[old] = np.arange(len(old))
        e.src, e.dst = remap[e.src], remap[e.dst]
        return NetworkGraph([self.entities[i] for i in old], e)

    def plus(self, rows: Iterable[Row]) -> NetworkGraph:
        """The graph with more edges between its entities (rows as ``from_rows`` takes)."""
        extra = from_rows(self.entities, rows).edges
        if not len(extra):
            return self
        e = self.edges
        kinds = list(e.kinds)
        for k in extra.kinds:
            if k not in kinds:
                kinds.append(k)
        remap = np.array([kinds.index(k) for k in extra.kinds], dtype=np.int64)
        merged = Edges(
            np.concatenate((e.src, extra.src)),
            np.concatenate((e.dst, extra.dst)),
            np.concatenate((e.kind, remap[extra.kind])),
            np.concatenate((e.directed, extra.directed)),
            np.concatenate((e.weight, extra.weight)),
            np.concatenate((e.level, extra.level)),
            e.date + extra.date,
            e.provenance + extra.provenance,
            kinds,
        )
        return NetworkGraph(self.entities, merged)

    def kinds(self) -> list[str]:
        present = set(np.unique(self.edges.kind).tolist())
        return sorted(k for i, k in enumerate(self.edges.kinds) if i in present)


def from_rows(entities: Sequence[Entity], rows: Iterable[Row]) -> NetworkGraph:
    """A graph from ``(source, target, kind, directed, weight, date, provenance, level)``
    rows whose ends are ids of ``entities`` (rows naming others are dropped)."""
    index = {e.id: i for i, e in enumerate(entities)}
    kinds: dict[str, int] = {}
    src: list[int] = []
    dst: list[int] = []
    kind: list[int] = []
    directed: list[bool] = []
    weight: list[float] = []
    level: list[int] = []
    date: list[str] = []
    prov: list[str] = []
    for s, t, k, d, w, day, p, lv in rows:
        a, b = index.get(s), index.get(t)
        if a is None or b is None or a == b:
            continue
        src.append(a)
        dst.append(b)
        kind.append(kinds.setdefault(k, len(kinds)))
        directed.append(d)
        weight.append(w)
        date.append(day or "")
        prov.append(p)
        level.append(lv)
    edges = Edges(
        np.array(src, dtype=np.int64),
        np.array(dst, dtype=np.int64),
        np.array(kind, dtype=np.int64),
        np.array(directed, dtype=bool),
        np.array(weight, dtype=np.float64),
        np.array(level, dtype=np.int64),
        date,
        prov,
        list(kinds),
    )
    return NetworkGraph(entities, edges)
