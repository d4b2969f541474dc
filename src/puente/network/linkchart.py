"""The JSON form the web UI's link chart consumes (and ``export --format json``).

Shape (documented in docs/network.md)::

    {"banner": str, "focus": [entity id], "truncated": bool, "kinds": [str],
     "nodes": [{"id", "caption", "schema", "origins", "records", "classification",
                "rel_to", "degree", "community", "key_player"}],
     "edges": [{"id", "source", "target", "kind", "directed", "weight", "date",
                "provenance", "classification", "rel_to"}]}

Invariant: the document holds exactly the entities and edges of the graph it is given
(one clearance level, already filtered), each with its own marking, and the banner of
everything in it; ``community`` and ``key_player`` come from the caller's analysis of
the same graph or are null.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from puente.network.marks import Marked


def linkchart(
    m: Marked,
    *,
    focus: Sequence[str] = (),
    communities: Mapping[str, str] | None = None,
    key_players: Mapping[str, int] | None = None,
    truncated: bool = False,
    lang: str = "en",
) -> dict[str, Any]:
    g = m.graph
    degree = g.simple.degree() if g.n else []
    nodes = []
    for i, e in enumerate(g.entities):
        mark = m.node(e)
        nodes.append(
            {
                "id": e.id,
                "caption": e.caption,
                "schema": e.schema,
                "origins": list(e.origins),
                "records": list(e.records),
                "classification": mark.classification,
                "rel_to": list(mark.rel_to),
                "degree": int(degree[i]),
                "community": (communities or {}).get(e.id),
                "key_player": (key_players or {}).get(e.id),
            }
        )
    edges = []
    for i in range(len(g.edges)):
        edge = g.edges.row(i, g.ids)
        mark = m.edge(edge)
        edges.append(
            {
                "id": f"e{i}",
                **edge.to_dict(),
                "classification": mark.classification,
                "rel_to": list(mark.rel_to),
            }
        )
    return {
        "banner": m.banner(lang),
        "focus": [f for f in focus if f in g.index],
        "truncated": truncated,
        "kinds": g.kinds(),
        "nodes": nodes,
        "edges": edges,
    }
