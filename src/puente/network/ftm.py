"""The graph as FollowTheMoney JSON lines (Aleph, OpenSanctions tooling, ``ftm``).

Each entity becomes one FtM entity under its entity id, with the union of its visible
records' property values and the most restrictive of their markings (so the file loads
back into a node as marked); each record that makes edges follows, with every entity
reference rewritten to the entity id it resolves to — references to records outside the
graph (above the clearance, unknown) are dropped — and each shared-attribute edge is an
``UnknownLink`` whose role is the edge kind. Invariant: nothing outside the graph given
(one clearance level) is written, and the output is deterministic.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

from sqlalchemy import Connection, select

from puente.model.ftm import get_model
from puente.network.marks import Marked
from puente.network.relations import local_ref
from puente.store.tables import records

_encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


def _dumps(data: object) -> bytes:
    return _encode(data).encode("utf-8")


def _rows(conn: Connection, ids: list[str]) -> dict[str, tuple[str, dict[str, list[str]], str]]:
    out: dict[str, tuple[str, dict[str, list[str]], str]] = {}
    for i in range(0, len(ids), 500):
        query = select(records.c.id, records.c.schema, records.c.properties, records.c.origin)
        for rid, schema, props, origin in conn.execute(
            query.where(records.c.id.in_(ids[i : i + 500]))
        ):
            out[rid] = (schema, json.loads(props), origin)
    return out


def to_ftm(conn: Connection, m: Marked, own: str) -> Iterator[bytes]:
    g = m.graph
    to_entity = {r: e.id for e in g.entities for r in e.records}
    node_rows = _rows(conn, sorted(to_entity))
    model = get_model()
    for e in g.entities:
        props: dict[str, list[str]] = {}
        for rid in e.records:
            schema = model.get(node_rows[rid][0]) if rid in node_rows else None
            for k, vs in (node_rows[rid][1] if rid in node_rows else {}).items():
                prop = schema.properties.get(k) if schema else None
                if prop is None or prop.type.name == "entity":
                    continue
                props.setdefault(k, [])
                props[k].extend(v for v in vs if v not in props[k])
        marks = m.top(e.records)
        data = {"id": e.id, "schema": e.schema, "properties": props}
        if marks is not None:
            data["markings"] = marks.to_dict()
        yield _dumps(data) + b"\n"
    edge_records = sorted(
        {p for prov in g.edges.provenance for p in prov.split(",")} - set(to_entity)
    )
    rows = _rows(conn, edge_records)
    done: set[str] = set()
    for i in range(len(g.edges)):
        prov = g.edges.provenance[i].split(",")
        if len(prov) == 1 and prov[0] in rows:
            rid = prov[0]
            if rid in done:
                continue
            done.add(rid)
            schema_name, raw, origin = rows[rid]
            schema = model.get(schema_name)
            props = {}
            for k, vs in raw.items():
                prop = schema.properties.get(k) if schema else None
                if prop is not None and prop.type.name == "entity":
                    vs = [
                        to_entity[r]
                        for r in (local_ref(v, origin, own) for v in vs)
                        if r in to_entity
                    ]
                if vs:
                    props[k] = vs
            data = {"id": rid, "schema": schema_name, "properties": props}
            if rid in m.markings:
                data["markings"] = m.markings[rid].to_dict()
            yield _dumps(data) + b"\n"
        else:
            edge = g.edges.row(i, g.ids)
            digest = hashlib.sha256(f"{edge.source}|{edge.target}|{edge.kind}".encode()).hexdigest()
            link = {"subject": [edge.source], "object": [edge.target], "role": [edge.kind]}
            data = {"id": f"link-{digest[:20]}", "schema": "UnknownLink", "properties": link}
            top = m.top(edge.provenance)
            if top is not None:
                data["markings"] = top.to_dict()
            yield _dumps(data) + b"\n"
