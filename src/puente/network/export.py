"""Exports for the analysts' other tools: GraphML (yEd, Gephi, igraph, networkx), GEXF
1.3 (Gephi), CSV edge lists; FtM JSON lines live in ``ftm.py``.

Invariant: a file holds exactly the entities and edges of the graph it is given (already
clearance-filtered), each with its classification and releasability, and carries the
banner of the whole (GraphML/GEXF in the graph's metadata, CSV as a first ``#`` line).
Output is deterministic: entities and edges in the graph's order, attributes sorted.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from functools import partial

from puente.network.marks import Marked

GRAPHML = "http://graphml.graphdrawing.org/xmlns"
GEXF = "http://gexf.net/1.3"
NODE_KEYS = ("label", "schema", "origins", "records", "classification", "rel_to")
EDGE_KEYS = ("kind", "directed", "weight", "date", "provenance", "classification", "rel_to")
FORMATS = ("graphml", "gexf", "csv", "ftm", "json")
Extra = Mapping[str, Mapping[str, str]]


def _tag(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _node_values(m: Marked, i: int, extra: Extra) -> dict[str, str]:
    e = m.graph.entities[i]
    mark = m.node(e)
    return {
        "label": e.caption,
        "schema": e.schema,
        "origins": ",".join(e.origins),
        "records": ",".join(e.records),
        "classification": mark.classification,
        "rel_to": mark.rel_to_text,
        **extra.get(e.id, {}),
    }


def _edge_values(m: Marked, i: int) -> dict[str, str]:
    edge = m.graph.edges.row(i, m.graph.ids)
    mark = m.edge(edge)
    return {
        "kind": edge.kind,
        "directed": "true" if edge.directed else "false",
        "weight": repr(edge.weight),
        "date": edge.date or "",
        "provenance": ",".join(edge.provenance),
        "classification": mark.classification,
        "rel_to": mark.rel_to_text,
    }


def _extra_keys(extra: Extra) -> list[str]:
    return sorted({k for attrs in extra.values() for k in attrs} - set(NODE_KEYS))


def to_graphml(m: Marked, lang: str = "en", extra: Extra | None = None) -> bytes:
    extra = extra or {}
    ET.register_namespace("", GRAPHML)
    q = partial(_tag, GRAPHML)
    root = ET.Element(q("graphml"))
    ET.SubElement(
        root,
        q("key"),
        id="g_banner",
        attrib={"for": "graph", "attr.name": "banner", "attr.type": "string"},
    )
    for k in (*NODE_KEYS, *_extra_keys(extra)):
        ET.SubElement(
            root,
            q("key"),
            id=f"n_{k}",
            attrib={"for": "node", "attr.name": k, "attr.type": "string"},
        )
    for k in EDGE_KEYS:
        kind = "double" if k == "weight" else "string"
        ET.SubElement(
            root, q("key"), id=f"e_{k}", attrib={"for": "edge", "attr.name": k, "attr.type": kind}
        )
    graph = ET.SubElement(root, q("graph"), id="puente", edgedefault="directed")
    ET.SubElement(graph, q("data"), key="g_banner").text = m.banner(lang)
    for i, eid in enumerate(m.graph.ids):
        el = ET.SubElement(graph, q("node"), id=eid)
        for k, v in _node_values(m, i, extra).items():
            ET.SubElement(el, q("data"), key=f"n_{k}").text = v
    for i in range(len(m.graph.edges)):
        g = m.graph
        el = ET.SubElement(
            graph,
            q("edge"),
            id=f"e{i}",
            source=g.ids[int(g.edges.src[i])],
            target=g.ids[int(g.edges.dst[i])],
        )
        for k, v in _edge_values(m, i).items():
            ET.SubElement(el, q("data"), key=f"e_{k}").text = v
    out: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return out


def to_gexf(m: Marked, lang: str = "en", extra: Extra | None = None) -> bytes:
    extra = extra or {}
    ET.register_namespace("", GEXF)
    q = partial(_tag, GEXF)
    root = ET.Element(q("gexf"), version="1.3")
    meta = ET.SubElement(root, q("meta"))
    ET.SubElement(meta, q("creator")).text = "Puente"
    ET.SubElement(meta, q("description")).text = m.banner(lang)
    graph = ET.SubElement(root, q("graph"), defaultedgetype="directed", mode="static")
    node_keys = [k for k in NODE_KEYS if k != "label"] + _extra_keys(extra)
    edge_keys = [k for k in EDGE_KEYS if k not in ("weight", "directed")]
    for cls, keys in (("node", node_keys), ("edge", edge_keys)):
        attrs = ET.SubElement(graph, q("attributes"), attrib={"class": cls})
        for k in keys:
            ET.SubElement(attrs, q("attribute"), id=k, title=k, type="string")
    nodes = ET.SubElement(graph, q("nodes"))
    for i, eid in enumerate(m.graph.ids):
        values = _node_values(m, i, extra)
        el = ET.SubElement(nodes, q("node"), id=eid, label=values["label"])
        vals = ET.SubElement(el, q("attvalues"))
        for k in node_keys:
            ET.SubElement(vals, q("attvalue"), attrib={"for": k, "value": values.get(k, "")})
    edges = ET.SubElement(graph, q("edges"))
    g = m.graph
    for i in range(len(g.edges)):
        values = _edge_values(m, i)
        el = ET.SubElement(
            edges,
            q("edge"),
            id=f"e{i}",
            source=g.ids[int(g.edges.src[i])],
            target=g.ids[int(g.edges.dst[i])],
            type="directed" if values["directed"] == "true" else "undirected",
            weight=values["weight"],
            kind=values["kind"],
            label=values["kind"],
        )
        vals = ET.SubElement(el, q("attvalues"))
        for k in edge_keys:
            ET.SubElement(vals, q("attvalue"), attrib={"for": k, "value": values[k]})
    out: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return out


def to_csv(m: Marked, lang: str = "en") -> bytes:
    """An edge list with both ends' labels; the banner as a first ``#`` line."""
    buf = io.StringIO()
    buf.write(f"# {m.banner(lang)}\n")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["source", "target", "source_label", "target_label", *EDGE_KEYS])
    g = m.graph
    for i in range(len(g.edges)):
        s, t = int(g.edges.src[i]), int(g.edges.dst[i])
        values = _edge_values(m, i)
        w.writerow(
            [
                g.ids[s],
                g.ids[t],
                g.entities[s].caption,
                g.entities[t].caption,
                *(values[k] for k in EDGE_KEYS),
            ]
        )
    return buf.getvalue().encode("utf-8")
