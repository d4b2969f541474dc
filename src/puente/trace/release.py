"""What a trace result may tell the requesting partner.

The answering node's full finding (``purchase.assess``) stays home. The partner receives:
the status, confidence and reasons; for a ``partial`` result the candidates' dealers and
dates (never a purchaser); for a ``completed`` one the dealer, purchase date, time to
crime and flags, a pseudonymous ``purchaser_ref`` (the same purchaser gives the same ref
to the same partner, so linked traces show without identity) and the purchaser's identity
**only** when both the acquisition record and the purchaser's record are marked
releasable to that partner, or a releasing officer approved a step-2 request. Otherwise
the result says the purchaser is identified and held by the owner.

Invariant: ``released`` is the only function that builds what leaves the node, and it is
computed at the moment of sending from the current markings and decisions, so a
retracted releasability or a refused step 2 is honoured on the next read.
``purchaser_known_by_hit`` is true when this node answered a hit/no-hit query of the same
partner with a hit on the purchaser's record (``hitnohit_hits``, owner's side).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from sqlalchemy import Connection, and_, func, not_, select

from puente.node import Node
from puente.store import records as record_store
from puente.store.tables import hitnohit_hits, records, trace_items
from puente.trace.status import FINISHED


def purchaser_ref(node: Node, partner: str, purchaser_id: str) -> str:
    secret = (node.settings.secret or "development-only-secret").encode()
    msg = f"trace-purchaser|{partner}|{purchaser_id}".encode()
    return "P-" + hmac.new(secret, msg, hashlib.sha256).hexdigest()[:16]


def _releasable(conn: Connection, rid: str, partner: str) -> bool:
    row = conn.execute(select(records.c.rel_to).where(records.c.id == rid)).first()
    return row is not None and f",{partner}," in row.rel_to


def release_basis(conn: Connection, partner: str, result: dict[str, Any], step2: str) -> str:
    """``officer`` (step 2 approved), ``markings`` (both records releasable) or ``''``."""
    if step2 == "approved":
        return "officer"
    if _releasable(conn, result["acquisition"], partner) and _releasable(
        conn, result["purchaser_id"], partner
    ):
        return "markings"
    return ""


def linked_traces(conn: Connection, purchaser_id: str, request_id: str, item: int) -> int:
    """Other traced guns (any request, any partner) whose first purchaser is the same."""
    if not purchaser_id:
        return 0
    this = and_(trace_items.c.request_id == request_id, trace_items.c.item == item)
    query = select(func.count()).where(
        trace_items.c.direction == "in",
        trace_items.c.purchaser_id == purchaser_id,
        not_(this),
    )
    return int(conn.execute(query).scalar_one())


def known_by_hit(conn: Connection, partner: str, purchaser_id: str) -> bool:
    """Did ``partner`` already learn of this purchaser through a hit we answered?"""
    query = select(hitnohit_hits.c.ref).where(
        hitnohit_hits.c.direction == "in",
        hitnohit_hits.c.partner == partner,
        hitnohit_hits.c.record_id == purchaser_id,
    )
    return conn.execute(query.limit(1)).first() is not None


def _dealer(d: dict[str, Any]) -> dict[str, Any]:
    return {k: d.get(k, "") for k in ("name", "license", "address", "state")}


def _purchaser(conn: Connection, rid: str) -> dict[str, Any]:
    rec = record_store.get(conn, rid)
    props = rec.properties
    return {
        "record": rid,
        "name": (props.get("name") or [""])[0],
        "birth_date": (props.get("birthDate") or [""])[0],
        "markings": rec.markings.to_dict(),
    }


def released(conn: Connection, node: Node, partner: str, row: Any) -> dict[str, Any]:
    """The partner's view of one inbound item row."""
    out: dict[str, Any] = {"item": row.item, "status": row.status}
    if row.status not in FINISHED:
        return out
    result = json.loads(row.result or "{}")
    out.update(confidence=result.get("confidence", 0.0), reasons=result.get("reasons", []))
    if row.status == "partial":
        out["candidates"] = [
            {
                "score": c["score"],
                "reasons": c["reasons"],
                "purchase_date": c["purchase_date"],
                "sales": c["sales"],
                "dealer": _dealer(c["dealer"]),
            }
            for c in result.get("candidates", [])
        ]
    if row.status != "completed":
        return out
    pid = result["purchaser_id"]
    flags = dict(result["flags"])
    flags["purchaser_linked"] = linked_traces(conn, pid, row.request_id, row.item)
    flags["purchaser_known_by_hit"] = known_by_hit(conn, partner, pid)
    out.update(
        acquisition=result["acquisition"],
        purchase_date=result["purchase_date"],
        time_to_crime_days=result["time_to_crime_days"],
        dealer=_dealer(result["dealer"]),
        flags=flags,
        purchaser_ref=purchaser_ref(node, partner, pid),
        step2=row.step2,
    )
    basis = release_basis(conn, partner, result, row.step2)
    if basis:
        out.update(purchaser=_purchaser(conn, pid), release=basis)
    else:
        out.update(purchaser=None, purchaser_held=True)
    return out
