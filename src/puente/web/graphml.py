"""GraphML export of the link chart's view, markings included.

Invariant: the file holds exactly the nodes and edges of the view it is given (already
clearance-filtered by ``graph``), each with its classification, releasability and
evaluation, and the graph carries the banner of the whole: what the file contains is
marked as what it contains.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from puente.model.markings import banner_for
from puente.web.graph import Subgraph

NS = "http://graphml.graphdrawing.org/xmlns"
NODE_KEYS = ("label", "schema", "origin", "classification", "rel_to", "evaluation")
EDGE_KEYS = ("relation", "record", "date", "classification", "rel_to")


def to_graphml(
    sub: Subgraph, lang: str = "en", extra: dict[str, dict[str, str]] | None = None
) -> bytes:
    """``extra`` adds per-node attributes (e.g. ``community``, ``key_player``)."""
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}graphml")
    extra = extra or {}
    extra_keys = sorted({k for attrs in extra.values() for k in attrs})
    ET.SubElement(
        root,
        f"{{{NS}}}key",
        id="g_banner",
        attrib={"for": "graph", "attr.name": "banner", "attr.type": "string"},
    )
    for k in (*NODE_KEYS, *extra_keys):
        ET.SubElement(
            root,
            f"{{{NS}}}key",
            id=f"n_{k}",
            attrib={"for": "node", "attr.name": k, "attr.type": "string"},
        )
    for k in EDGE_KEYS:
        ET.SubElement(
            root,
            f"{{{NS}}}key",
            id=f"e_{k}",
            attrib={"for": "edge", "attr.name": k, "attr.type": "string"},
        )
    graph = ET.SubElement(root, f"{{{NS}}}graph", id="puente", edgedefault="directed")
    ET.SubElement(graph, f"{{{NS}}}data", key="g_banner").text = banner_for(sub.markings(), lang)
    for n in sorted(sub.nodes.values(), key=lambda n: n.id):
        el = ET.SubElement(graph, f"{{{NS}}}node", id=n.id)
        values = {
            "label": n.caption,
            "schema": n.schema,
            "origin": n.origin,
            "classification": n.markings.classification,
            "rel_to": ",".join(n.markings.rel_to),
            "evaluation": n.markings.evaluation,
            **extra.get(n.id, {}),
        }
        for k, v in values.items():
            ET.SubElement(el, f"{{{NS}}}data", key=f"n_{k}").text = v
    for e in sorted(sub.edges.values(), key=lambda e: e.id):
        el = ET.SubElement(graph, f"{{{NS}}}edge", id=e.id, source=e.source, target=e.target)
        values = {
            "relation": e.relation,
            "record": e.record,
            "date": e.date or "",
            "classification": e.markings.classification,
            "rel_to": ",".join(e.markings.rel_to),
        }
        for k, v in values.items():
            ET.SubElement(el, f"{{{NS}}}data", key=f"e_{k}").text = v
    out: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return out
