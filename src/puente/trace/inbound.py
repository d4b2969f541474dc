"""The answering node: trace requests a partner sent, matched against our acquisitions,
step-2 requests for a purchaser's identity, and the releasing officer's decisions.

Invariants:
- a request is stored whole or not at all, once: a resend with the same digest answers
  the stored statuses, a different body under the same id is a ``Conflict``;
- items move only through ``status.advance``; matching runs outside any write
  transaction and its findings are written with their status and one audit entry per
  request in one transaction;
- a partner only ever reads its own requests, through ``release.released``.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, and_, bindparam, or_, select, update

from puente.access import require_role
from puente.errors import Conflict, InvalidInput, NotFound
from puente.model.canonical import canonical_bytes
from puente.node import Node
from puente.store.audit import now
from puente.store.tables import trace_items, trace_requests
from puente.store.users import User
from puente.trace import index
from puente.trace.items import Firearm, TraceItem, parse_items
from puente.trace.match import match_many
from puente.trace.purchase import assess_many
from puente.trace.release import released
from puente.trace.status import FINISHED, advance, overall
from puente.trace.wire import digest
from puente.workers import gc_paused

REQUEST_ID = re.compile(r"^([A-Z]{3})-T-[0-9a-f]{12,32}$")
BATCH = 500
MAX_NOTE = 2000


def checked_id(request_id: Any, partner: str) -> str:
    m = REQUEST_ID.match(str(request_id))
    if m is None or m.group(1) != partner:
        raise InvalidInput("trace.bad_request_id", value=str(request_id)[:80])
    return str(request_id)


def receive(node: Node, partner: str, payload: Any) -> dict[str, Any]:
    """Store a partner's request (items ``received``); answers the items' statuses."""
    if not isinstance(payload, dict):
        raise InvalidInput("trace.bad_body")
    rid = checked_id(payload.get("request"), partner)
    seizure = str(payload.get("seizure") or "")[:200]
    items = parse_items(payload.get("items") or [], file=rid)
    body_digest = digest(canonical_bytes(payload))
    with node.write() as conn:
        old = conn.execute(
            select(trace_requests.c.digest).where(
                trace_requests.c.direction == "in", trace_requests.c.id == rid
            )
        ).first()
        if old is not None:
            if old.digest != body_digest:
                raise Conflict("trace.request_conflict", id=rid)
            return status_view(conn, "in", rid)
        store_request(
            conn, "in", rid, partner, seizure, body_digest, partner, items, "received", now()
        )
        node.audit.append(conn, partner, "trace_received", rid, {"items": len(items)})
        return status_view(conn, "in", rid)


def store_request(
    conn: Connection,
    direction: str,
    rid: str,
    partner: str,
    seizure: str,
    body_digest: str,
    created_by: str,
    items: Sequence[TraceItem],
    status: str,
    ts: str,
) -> None:
    """Write a request and its items (numbered from 1, each at ``status``): the
    requester's copy (``out``) and the owner's (``in``) hold the same rows."""
    conn.execute(
        trace_requests.insert(),
        {
            "direction": direction,
            "id": rid,
            "partner": partner,
            "seizure": seizure,
            "digest": body_digest,
            "created_by": created_by,
            "created_at": ts,
            "updated_at": ts,
        },
    )
    conn.execute(
        trace_items.insert(),
        [
            {
                "direction": direction,
                "request_id": rid,
                "item": n,
                "status": status,
                "firearm": json.dumps(d["firearm"], sort_keys=True),
                "recovery": json.dumps(d["recovery"], sort_keys=True),
                "result": "{}",
                "purchaser_id": "",
                "dealer_id": "",
                "step2": "",
                "step2_note": "",
                "updated_at": ts,
            }
            for n, d in enumerate((it.to_dict() for it in items), 1)
        ],
    )


def status_view(conn: Connection, direction: str, rid: str) -> dict[str, Any]:
    rows = conn.execute(
        select(trace_items.c.item, trace_items.c.status)
        .where(trace_items.c.direction == direction, trace_items.c.request_id == rid)
        .order_by(trace_items.c.item)
    ).all()
    if not rows:
        raise NotFound("trace.no_request", id=rid)
    return {
        "request": rid,
        "status": overall(r.status for r in rows),
        "items": [{"item": r.item, "status": r.status} for r in rows],
    }


@dataclass(frozen=True)
class ProcessReport:
    items: int
    by_status: dict[str, int]


def process(node: Node, user: User, request_id: str = "", again: bool = False) -> ProcessReport:
    """Match every received item (and items left ``in_progress`` by an interrupted run);
    with ``again``, finished items too (after new acquisitions were loaded)."""
    require_role(user, "analyst")
    if request_id:
        with node.read() as conn:
            status_view(conn, "in", request_id)  # NotFound for an unknown request
    index.refresh(node)
    wanted = ("received", "in_progress", *FINISHED) if again else ("received", "in_progress")
    counts: dict[str, int] = defaultdict(int)
    done, last = 0, ("", 0)
    c = trace_items.c
    while True:
        query = select(trace_items).where(
            c.direction == "in",
            c.status.in_(wanted),
            or_(c.request_id > last[0], and_(c.request_id == last[0], c.item > last[1])),
        )
        if request_id:
            query = query.where(c.request_id == request_id)
        with node.write() as conn:
            rows = conn.execute(query.order_by(c.request_id, c.item).limit(BATCH)).all()
            if rows:
                _set_many(conn, rows, [advance(r.status, "in_progress") for r in rows])
        if not rows:
            return ProcessReport(done, dict(counts))
        last = (rows[-1].request_id, rows[-1].item)
        with node.read() as conn, gc_paused():
            found = _findings(conn, rows)
        per_request: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        with node.write() as conn:
            _set_results(conn, rows, found)
            for r, result in zip(rows, found, strict=True):
                per_request[r.request_id][result["status"]] += 1
                counts[result["status"]] += 1
            for rid, by in sorted(per_request.items()):
                node.audit.append(conn, user.username, "trace_processed", rid, dict(by))
        done += len(rows)


def _findings(conn: Connection, rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Match and assess a page of items, the index and record reads batched."""
    wanted = [(Firearm(**orjson.loads(r.firearm)), orjson.loads(r.recovery)["date"]) for r in rows]
    found = match_many(conn, wanted)
    return assess_many(conn, [(m, day) for m, (_, day) in zip(found, wanted, strict=True)])


_SET = (
    update(trace_items)
    .where(
        trace_items.c.direction == "in",
        trace_items.c.request_id == bindparam("rid"),
        trace_items.c.item == bindparam("no"),
    )
    .values(status=bindparam("st"), updated_at=bindparam("ts"))
)
_SET_RESULT = _SET.values(
    result=bindparam("res"), purchaser_id=bindparam("pid"), dealer_id=bindparam("did")
)


def _set_many(conn: Connection, rows: Sequence[Any], statuses: list[str]) -> None:
    ts = now()
    conn.execute(
        _SET,
        [
            {"rid": r.request_id, "no": r.item, "st": s, "ts": ts}
            for r, s in zip(rows, statuses, strict=True)
        ],
    )


def _set_results(conn: Connection, rows: Sequence[Any], found: list[dict[str, Any]]) -> None:
    ts = now()
    conn.execute(
        _SET_RESULT,
        [
            {
                "rid": r.request_id,
                "no": r.item,
                "st": advance("in_progress", f["status"]),
                "ts": ts,
                "res": orjson.dumps(f, option=orjson.OPT_SORT_KEYS).decode(),
                "pid": f.get("purchaser_id", ""),
                "did": (f.get("dealer") or {}).get("id", ""),
            }
            for r, f in zip(rows, found, strict=True)
        ],
    )


def item_row(conn: Connection, rid: str, item: int, partner: str = "") -> Any:
    query = (
        select(trace_items, trace_requests.c.partner)
        .join(
            trace_requests,
            (trace_requests.c.direction == trace_items.c.direction)
            & (trace_requests.c.id == trace_items.c.request_id),
        )
        .where(
            trace_items.c.direction == "in",
            trace_items.c.request_id == rid,
            trace_items.c.item == item,
        )
    )
    row = conn.execute(query).first()
    if row is None or (partner and row.partner != partner):
        raise NotFound("trace.no_item", id=rid, item=item)
    return row


def results_for(node: Node, partner: str, rid: str) -> dict[str, Any]:
    """What ``partner`` may read of its request ``rid`` (audited)."""
    with node.write() as conn:
        req = conn.execute(
            select(trace_requests.c.partner).where(
                trace_requests.c.direction == "in", trace_requests.c.id == rid
            )
        ).first()
        if req is None or req.partner != partner:
            raise NotFound("trace.no_request", id=rid)
        rows = conn.execute(
            select(trace_items)
            .where(trace_items.c.direction == "in", trace_items.c.request_id == rid)
            .order_by(trace_items.c.item)
        ).all()
        items = [released(conn, node, partner, r) for r in rows]
        named = sum(1 for i in items if i.get("purchaser"))
        node.audit.append(conn, partner, "trace_results_sent", rid, {"purchasers": named})
    return {"request": rid, "status": overall(i["status"] for i in items), "items": items}


def pending(node: Node, user: User) -> list[dict[str, Any]]:
    """Inbound items and their state, for the answering node's analysts and officers."""
    require_role(user, "analyst", "releasing_officer")
    with node.read() as conn:
        rows = conn.execute(
            select(trace_items, trace_requests.c.partner)
            .join(
                trace_requests,
                (trace_requests.c.direction == trace_items.c.direction)
                & (trace_requests.c.id == trace_items.c.request_id),
            )
            .where(trace_items.c.direction == "in")
            .order_by(trace_items.c.request_id, trace_items.c.item)
        ).all()
    return [
        {
            "request": r.request_id,
            "item": r.item,
            "partner": r.partner,
            "status": r.status,
            "step2": r.step2,
            "purchaser": r.purchaser_id,
            "dealer": r.dealer_id,
        }
        for r in rows
    ]
