"""The link chart's graph: the neighbourhood of records, built from their FtM references.

A record is a node; an entity-typed property naming another record is a link (labelled
with the property); a record of an FtM *edge* schema (Payment, Ownership, Acquisition…)
that references nothing but its ``edge.source`` and ``edge.target`` is drawn as one edge
between them, labelled with the schema's edge label. Received copies reference records
in their sender's namespace (``USA:…``), resolved here.

Invariant: every record this module returns was read through ``puente.access`` as the
viewing user — ``read_record`` for references, ``records_referencing`` for reverse
links — so a record above the user's clearance, and every edge it would make, never
reaches a page or an export. ``GraphSource`` is the seam the network-analysis package
will fill: pages depend on it, not on ``AccessGraph``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from puente import access
from puente.errors import Forbidden, NotFound
from puente.model.ftm import get_model
from puente.model.markings import Markings
from puente.model.record import Record, caption, event_date
from puente.node import Node
from puente.store.users import User


@dataclass(frozen=True)
class GNode:
    id: str
    caption: str
    schema: str
    origin: str
    markings: Markings


@dataclass(frozen=True)
class GEdge:
    id: str
    source: str
    target: str
    relation: str  # edge label or property name: what "filter by relation type" filters
    record: str  # the record that makes this edge (itself marked)
    date: str | None
    markings: Markings


@dataclass
class Subgraph:
    nodes: dict[str, GNode] = field(default_factory=dict)
    edges: dict[str, GEdge] = field(default_factory=dict)

    def merge(self, other: Subgraph) -> None:
        self.nodes.update(other.nodes)
        self.edges.update(other.edges)

    def markings(self) -> list[Markings]:
        return [n.markings for n in self.nodes.values()] + [e.markings for e in self.edges.values()]

    def relations(self) -> list[str]:
        return sorted({e.relation for e in self.edges.values()})

    def adjacency(self) -> dict[str, set[str]]:
        adj: dict[str, set[str]] = {n: set() for n in self.nodes}
        for e in self.edges.values():
            if e.source in adj and e.target in adj and e.source != e.target:
                adj[e.source].add(e.target)
                adj[e.target].add(e.source)
        return adj


class GraphSource(Protocol):
    def expand(self, ids: Sequence[str]) -> Subgraph:
        """The records ``ids`` with their links in both directions."""
        ...


class AccessGraph:
    """Neighbourhoods read through ``access`` as ``user`` (one instance per page)."""

    def __init__(self, node: Node, user: User, fan_out: int = 200) -> None:
        self.node = node
        self.user = user
        self.fan_out = fan_out
        self._cache: dict[str, Record | None] = {}

    def read(self, rid: str) -> Record | None:
        if rid not in self._cache:
            try:
                self._cache[rid] = access.read_record(self.node, self.user, rid)
            except (Forbidden, NotFound):
                self._cache[rid] = None
        return self._cache[rid]

    def resolve(self, holder: Record, value: str) -> Record | None:
        """The record ``value`` names, in ``holder``'s namespace first."""
        if holder.origin != self.node.country:
            found = self.read(f"{holder.origin}:{value}")
            if found is not None:
                return found
        return self.read(value)

    def links(self, record: Record) -> list[tuple[str, Record]]:
        schema = get_model().get(record.schema)
        if schema is None:
            return []
        out = []
        for name, values in record.properties.items():
            prop = schema.properties.get(name)
            if prop is None or prop.type.name != "entity":
                continue
            for value in values:
                target = self.resolve(record, value)
                if target is not None and target.id != record.id:
                    out.append((name, target))
        return out

    def represent(self, record: Record) -> Subgraph:
        """``record`` as a node with its outgoing links, or as one FtM edge."""
        sub = Subgraph()
        schema = get_model().get(record.schema)
        links = self.links(record)
        when = event_date(record.schema, record.properties)
        if schema is not None and schema.edge and schema.edge_source and schema.edge_target:
            ends = {schema.edge_source, schema.edge_target}
            sources = [r for p, r in links if p == schema.edge_source]
            targets = [r for p, r in links if p == schema.edge_target]
            if sources and targets and all(p in ends for p, _ in links):
                for s in sources:
                    for t in targets:
                        sub.nodes[s.id] = node_of(s)
                        sub.nodes[t.id] = node_of(t)
                        key = f"{record.id}|{s.id}|{t.id}"
                        relation = schema.edge_label or schema.name
                        sub.edges[key] = GEdge(
                            key, s.id, t.id, relation, record.id, when, record.markings
                        )
                return sub
        sub.nodes[record.id] = node_of(record)
        for prop, target in links:
            sub.nodes[target.id] = node_of(target)
            key = f"{record.id}|{prop}|{target.id}"
            sub.edges[key] = GEdge(
                key, record.id, target.id, prop, record.id, when, record.markings
            )
        return sub

    def expand(self, ids: Sequence[str]) -> Subgraph:
        sub = Subgraph()
        for rid in ids:
            record = self.read(rid)
            if record is None:
                continue
            sub.merge(self.represent(record))
            sub.nodes.setdefault(record.id, node_of(record))
            own = record.origin == self.node.country
            prefix = f"{record.origin}:"
            value = record.id if own or not rid.startswith(prefix) else rid[len(prefix) :]
            for other in access.records_referencing(
                self.node,
                self.user,
                value,
                origin=None if own else record.origin,
                limit=self.fan_out,
            ):
                self._cache.setdefault(other.id, other)
                sub.merge(self.represent(other))
        return sub


def node_of(record: Record) -> GNode:
    return GNode(
        record.id,
        caption(record.schema, record.properties) or record.id,
        record.schema,
        record.origin,
        record.markings,
    )


def view(
    sub: Subgraph,
    *,
    relations: Iterable[str] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    keep: Iterable[str] = (),
) -> Subgraph:
    """The part of ``sub`` the filters let through: edges of the chosen relation types
    within the dates (undated edges always pass), and the nodes they touch plus ``keep``."""
    allowed = None if relations is None else set(relations)
    out = Subgraph()
    for key, e in sub.edges.items():
        if allowed is not None and e.relation not in allowed:
            continue
        if e.date and ((date_from and e.date < date_from) or (date_to and e.date[:10] > date_to)):
            continue
        out.edges[key] = e
    wanted = {e.source for e in out.edges.values()} | {e.target for e in out.edges.values()}
    wanted |= set(keep)
    out.nodes = {k: n for k, n in sub.nodes.items() if k in wanted}
    out.edges = {
        k: e for k, e in out.edges.items() if e.source in out.nodes and e.target in out.nodes
    }
    return out
