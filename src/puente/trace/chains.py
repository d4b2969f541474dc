"""Trafficking chains as typed edges for the network analysis: who sold to whom, who
paid or called the purchaser (broker candidates), whom those brokers paid or called who
then crossed south (courier candidates), and where each traced gun was recovered.

Edges on the answering node (``in`` items, full findings): dealer —sold_to→ purchaser,
purchaser —bought→ firearm, firearm —recovered_in→ ``trace:<request>/<item>``, payer
—paid→ purchaser and caller —called→ purchaser (from Payment and Call records), broker
—paid/called→ person, person —crossed_south→ ``crossing:<record>``. On the requesting
node (``out`` items, released results): purchaser (released record or pseudonymous ref)
—bought→ firearm, firearm —recovered_in→ seizure, seizure —held_by→ possessor.

Invariant: every edge names its provenance (the records or trace item it was read from)
and the node that holds them; nothing is inferred beyond one hop from a traced purchaser.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection, select

from puente.access import require_role
from puente.node import Node
from puente.store.tables import records, trace_items, trace_requests
from puente.store.users import User


@dataclass(frozen=True)
class ChainEdge:
    source: str
    target: str
    kind: str  # sold_to | bought | recovered_in | paid | called | crossed_south | held_by
    date: str
    provenance: tuple[str, ...]
    node: str

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["provenance"] = list(self.provenance)
        return data


def _relations(
    conn: Connection, schema: str, a: str, b: str
) -> dict[str, list[tuple[str, str, str]]]:
    """For every party, its (other party, date, record id) in ``schema`` records."""
    out: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for row in conn.execute(
        select(records.c.id, records.c.properties).where(records.c.schema == schema)
    ):
        p = json.loads(row.properties)
        date = (p.get("date") or [""])[0]
        for x in p.get(a, []):
            for y in p.get(b, []):
                out[y].append((x, date, row.id))  # keyed by the receiving side
                out["<" + x].append((y, date, row.id))  # and by the sending side
    return out


def _crossings(conn: Connection) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in conn.execute(
        select(records.c.id, records.c.properties).where(records.c.schema == "BorderCrossing")
    ):
        p = json.loads(row.properties)
        if "south" in (p.get("direction") or [""])[0].lower():
            for person in p.get("person", []):
                out[person].append((row.id, (p.get("date") or [""])[0]))
    return out


def trafficking_chains(node: Node, user: User) -> list[ChainEdge]:
    require_role(user, "analyst")
    with node.read() as conn:
        rows = conn.execute(
            select(trace_items, trace_requests.c.seizure)
            .join(
                trace_requests,
                (trace_requests.c.direction == trace_items.c.direction)
                & (trace_requests.c.id == trace_items.c.request_id),
            )
            .where(trace_items.c.status == "completed")
        ).all()
        inbound = [r for r in rows if r.direction == "in"]
        edges = _answering(conn, node.country, inbound) if inbound else []
    edges += _requesting(node.country, [r for r in rows if r.direction == "out"])
    return sorted(set(edges), key=lambda e: (e.kind, e.source, e.target, e.date))


def _answering(conn: Connection, here: str, rows: list[Any]) -> list[ChainEdge]:
    edges: list[ChainEdge] = []
    purchasers: set[str] = set()
    for r in rows:
        res, rec = json.loads(r.result), json.loads(r.recovery)
        pid, item = res["purchaser_id"], f"trace:{r.request_id}/{r.item}"
        purchasers.add(pid)
        acq = (res["acquisition"],)
        edges += [
            ChainEdge(res["dealer"]["id"], pid, "sold_to", res["purchase_date"], acq, here),
            ChainEdge(pid, res["firearm"], "bought", res["purchase_date"], acq, here),
            ChainEdge(res["firearm"], item, "recovered_in", rec.get("date", ""), (item,), here),
        ]
    pays = _relations(conn, "Payment", "payer", "beneficiary")
    calls = _relations(conn, "Call", "caller", "receiver")
    crossings = _crossings(conn)
    for pid in sorted(purchasers):
        brokers = set()
        for kind, rel in (("paid", pays), ("called", calls)):
            for other, date, rid in rel.get(pid, []) + rel.get("<" + pid, []):
                brokers.add(other)
                edges.append(ChainEdge(other, pid, kind, date, (rid,), here))
        for broker in sorted(brokers):
            for kind, rel in (("paid", pays), ("called", calls)):
                for other, date, rid in rel.get("<" + broker, []):
                    for crossing, day in crossings.get(other, []):
                        edges.append(ChainEdge(broker, other, kind, date, (rid,), here))
                        edges.append(
                            ChainEdge(
                                other,
                                f"crossing:{crossing}",
                                "crossed_south",
                                day,
                                (crossing,),
                                here,
                            )
                        )
    return edges


def _requesting(here: str, rows: list[Any]) -> list[ChainEdge]:
    edges: list[ChainEdge] = []
    for r in rows:
        res, gun, rec = json.loads(r.result), json.loads(r.firearm), json.loads(r.recovery)
        buyer = (res.get("purchaser") or {}).get("record") or res.get("purchaser_ref", "")
        firearm = gun.get("ref") or f"trace:{r.request_id}/{r.item}"
        seizure = r.seizure or f"trace:{r.request_id}"
        prov = (f"trace:{r.request_id}/{r.item}",)
        edges += [
            ChainEdge(buyer, firearm, "bought", res.get("purchase_date", ""), prov, here),
            ChainEdge(firearm, seizure, "recovered_in", rec.get("date", ""), prov, here),
        ]
        holder = (rec.get("possessor") or {}).get("record")
        if holder:
            edges.append(ChainEdge(seizure, holder, "held_by", rec.get("date", ""), prov, here))
    return edges
