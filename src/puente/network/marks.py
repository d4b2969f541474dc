"""The markings behind a graph's entities and edges, for exports and the link chart.

Invariant: a node is marked with the highest classification among the records it was
built from and the partners all of them may go to; an edge likewise from the records
that make it; a whole export carries ``banner_for`` every marking in it — what a file
contains is marked as what it contains.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select

from puente.model.markings import Markings, banner_for
from puente.network.graph import Edge, Entity, NetworkGraph
from puente.store.tables import records


def markings_of(conn: Connection, ids: Iterable[str]) -> dict[str, Markings]:
    parsed: dict[str, Markings] = {}
    out: dict[str, Markings] = {}
    wanted = sorted(set(ids))
    for i in range(0, len(wanted), 500):
        query = select(records.c.id, records.c.markings).where(
            records.c.id.in_(wanted[i : i + 500])
        )
        for rid, text in conn.execute(query):
            if text not in parsed:
                data = json.loads(text)
                parsed[text] = Markings.parse(data, originator=data["originator"])
            out[rid] = parsed[text]
    return out


@dataclass(frozen=True)
class Mark:
    classification: str
    rel_to: tuple[str, ...]
    evaluation: str

    @property
    def rel_to_text(self) -> str:
        return ",".join(self.rel_to)


def combine(items: Sequence[Markings]) -> Mark:
    if not items:
        return Mark("public", (), "")
    top = max(items, key=lambda m: m.level)
    common = set(items[0].rel_to)
    for m in items[1:]:
        common &= set(m.rel_to)
    return Mark(top.classification, tuple(sorted(common)), top.evaluation)


class Marked:
    """A graph with the markings of every record behind it."""

    def __init__(self, graph: NetworkGraph, markings: dict[str, Markings]) -> None:
        self.graph = graph
        self.markings = markings

    @classmethod
    def read(cls, conn: Connection, graph: NetworkGraph) -> Marked:
        ids = {r for e in graph.entities for r in e.records}
        for p in graph.edges.provenance:
            ids.update(p.split(","))
        return cls(graph, markings_of(conn, ids))

    def _items(self, ids: Iterable[str]) -> list[Markings]:
        return [self.markings[r] for r in ids if r in self.markings]

    def node(self, entity: Entity) -> Mark:
        return combine(self._items(entity.records))

    def edge(self, edge: Edge) -> Mark:
        return combine(self._items(edge.provenance))

    def top(self, ids: Iterable[str]) -> Markings | None:
        """The most restrictive marking of the records ``ids`` with the partners all of
        them may go to (how an FtM export marks a merged entity or a derived link)."""
        items = self._items(ids)
        if not items:
            return None
        best = max(items, key=lambda m: m.level)
        common = set(items[0].rel_to)
        for m in items[1:]:
            common &= set(m.rel_to)
        return best.with_changes(rel_to=sorted(common))

    def banner(self, lang: str = "en") -> str:
        return banner_for(self.markings.values(), lang)
