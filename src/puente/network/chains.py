"""Firearm-trafficking chains from tracing (``puente.trace.chains``) as network edges.

A completed trace ties a purchase in one country to a seizure in the other — a link no
single record holds: the US purchaser of a gun later seized in Mexico. Each chain edge
becomes an edge of kind ``trace_<kind>`` (``trace_bought``, ``trace_recovered_in``,
``trace_held_by``, ``trace_sold_to``…) whose provenance is the records or trace items
tracing names.

Invariant: a chain edge joins the graph only when both of its ends are in the user's
graph already (a record there, or an edge record such as a seizure whose ends are
there), so tracing adds links between entities the user may see and never an entity
or a record above their clearance; only analysts get them (tracing's own rule).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select

from puente.network.entities import entity_ids
from puente.network.graph import NetworkGraph, Row
from puente.node import Node
from puente.store.tables import network_edges
from puente.store.users import User
from puente.trace.chains import ChainEdge, trafficking_chains


def _ends(conn: Connection, graph: NetworkGraph, refs: Sequence[str]) -> dict[str, list[str]]:
    """ref → the graph's entities it stands for (none when the user cannot see it)."""
    emap = entity_ids(conn, list(refs))
    out = {r: [emap[r]] for r in refs if emap[r] in graph.index}
    rest = [r for r in refs if r not in out]
    for i in range(0, len(rest), 500):
        chunk = rest[i : i + 500]
        rows = conn.execute(
            select(network_edges.c.record_id, network_edges.c.source, network_edges.c.target).where(
                network_edges.c.record_id.in_(chunk)
            )
        ).all()
        by_record: dict[str, set[str]] = {}
        for rid, s, t in rows:
            by_record.setdefault(rid, set()).update((s, t))
        ends = entity_ids(conn, sorted({e for v in by_record.values() for e in v}))
        for rid, refs_of in by_record.items():
            found = sorted({ends[e] for e in refs_of if ends[e] in graph.index})
            if found:
                out[rid] = found
    return out


def with_chains(node: Node, user: User, conn: Connection, graph: NetworkGraph) -> NetworkGraph:
    """``graph`` plus the trafficking-chain edges between entities it holds."""
    if not user.has("analyst"):
        return graph
    chain: list[ChainEdge] = trafficking_chains(node, user)
    if not chain:
        return graph
    ends = _ends(conn, graph, sorted({r for e in chain for r in (e.source, e.target)}))
    rows: list[Row] = []
    for e in chain:
        for s in ends.get(e.source, []):
            for t in ends.get(e.target, []):
                level = max(graph.entity(s).level, graph.entity(t).level)
                prov = ",".join(e.provenance)
                rows.append((s, t, f"trace_{e.kind}", True, 1.0, e.date or None, prov, level))
    return graph.plus(rows)
