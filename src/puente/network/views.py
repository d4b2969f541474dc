"""What users see of the network as documents: the link chart's neighbourhood and the
export files, under the same rules as every other operation (``service``).

Invariant: both are drawn from the user's graph only (``service.graph_for``), marked
node by node and edge by edge with the banner of the whole, and audited.
"""

from __future__ import annotations

import json
from typing import Any

from puente.errors import InvalidInput
from puente.network import analytics, paths
from puente.network.export import FORMATS, to_csv, to_gexf, to_graphml
from puente.network.ftm import to_ftm
from puente.network.linkchart import linkchart
from puente.network.marks import Marked
from puente.network.service import Filters, audit, graph_for, locate
from puente.node import Node
from puente.store.users import User


def neighbours(
    node: Node,
    user: User,
    ref: str,
    filters: Filters = Filters(),
    *,
    hops: int = 2,
    limit: int = 500,
    lang: str = "en",
) -> dict[str, Any]:
    """The link-chart JSON of the entities within ``hops`` of ``ref`` (see linkchart)."""
    if not 0 <= hops <= 6 or not 1 <= limit <= 20_000:
        raise InvalidInput("network.bad_hops", hops=hops)
    graph = graph_for(node, user)
    with node.read() as conn:
        focus = [graph.ids[v] for v in locate(conn, graph, ref)]
        sub = paths.neighbourhood(
            graph,
            focus,
            hops,
            kinds=filters.kinds,
            since=filters.since,
            until=filters.until,
            limit=limit,
        )
        marked = Marked.read(conn, sub)
    labels = analytics.leiden(sub)
    comm = {eid: f"c{labels[i]}" for i, eid in enumerate(sub.ids)}
    ranked, _ = analytics.centrality(sub)
    keys = {r.id: i + 1 for i, r in enumerate(ranked[:5]) if r.betweenness > 0}
    doc = linkchart(
        marked, focus=focus, communities=comm, key_players=keys, truncated=sub.n >= limit, lang=lang
    )
    audit(node, user, "neighbours", ref, {"entities": sub.n, "hops": hops})
    return doc


def export(
    node: Node,
    user: User,
    fmt: str,
    filters: Filters = Filters(),
    *,
    focus: str | None = None,
    hops: int = 2,
    lang: str = "en",
) -> bytes:
    """The user's graph (or the neighbourhood of ``focus``) in one of ``FORMATS``."""
    if fmt not in FORMATS:
        raise InvalidInput("network.bad_format", value=fmt[:20], allowed=", ".join(FORMATS))
    graph = graph_for(node, user, filters)
    with node.read() as conn:
        if focus:
            start = [graph.ids[v] for v in locate(conn, graph, focus)]
            graph = paths.neighbourhood(graph, start, hops, limit=100_000)
        marked = Marked.read(conn, graph)
        if fmt == "ftm":
            data = b"".join(to_ftm(conn, marked, node.country))
        elif fmt == "json":
            doc = linkchart(marked, focus=[focus] if focus else [], lang=lang)
            data = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        elif fmt == "graphml":
            data = to_graphml(marked, lang)
        elif fmt == "gexf":
            data = to_gexf(marked, lang)
        else:
            data = to_csv(marked, lang)
    audit(node, user, "export", fmt, {"entities": graph.n, "edges": len(graph.edges)})
    return data
