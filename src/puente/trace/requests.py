"""The requesting node: trace requests for recovered guns, sent to a partner over the
signed channel, their statuses and the results as the partner released them.

A request is one seizure (one or many guns). It is stored ``sent`` before it is posted,
so a partner that cannot be reached leaves it waiting and ``refresh`` posts it again
(the partner recognises a resend by its digest). ``from_recovery`` builds the items from a
Recovery record and its Firearm records; the possessor travels only when the possessor's
record is marked releasable to the partner, and then with its markings.

Invariant: a local item's status only moves through ``status.can_advance`` — a partner's
answer that would move it backwards is ignored — and its stored result is exactly what
the partner released, never more.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from typing import Any

import httpx
from sqlalchemy import Connection, select, update

from puente.access import require_role
from puente.errors import InvalidInput, NotFound
from puente.exchange.client import PartnerClient, PartnerUnreachable, get_partner
from puente.model.canonical import canonical_bytes
from puente.node import Node
from puente.store.audit import now
from puente.store.tables import trace_items, trace_requests
from puente.store.users import User
from puente.trace import wire
from puente.trace.inbound import status_view, store_request
from puente.trace.items import TraceItem, parse_items
from puente.trace.status import can_advance

PARTNER_REQUESTS = "/trace/partner/requests"
PARTNER_RESULTS = "/trace/partner/results"
PARTNER_STEP2 = "/trace/partner/step2"


def create(
    node: Node,
    user: User,
    partner: str,
    rows: list[Any],
    seizure: str = "",
    http: httpx.Client | None = None,
) -> dict[str, Any]:
    """Store a request and send it; answers its status (``sent`` if unreachable)."""
    require_role(user, "analyst")
    code = get_partner(node, partner).code
    items = parse_items(rows)
    rid = f"{node.country}-T-{secrets.token_hex(8)}"
    payload = _payload(rid, seizure, items)
    with node.write() as conn:
        store_request(
            conn,
            "out",
            rid,
            code,
            seizure[:200],
            wire.digest(canonical_bytes(payload)),
            user.username,
            items,
            "sent",
            now(),
        )
        node.audit.append(
            conn,
            user.username,
            "trace_request",
            rid,
            {"partner": code, "items": len(items), "seizure": seizure[:200]},
        )
    with contextlib.suppress(PartnerUnreachable):  # stays ``sent``: ``refresh`` resends
        send(node, rid, http)
    return status(node, user, rid)


def _payload(rid: str, seizure: str, items: list[TraceItem]) -> dict[str, Any]:
    return {"request": rid, "seizure": seizure[:200], "items": [i.to_dict() for i in items]}


def _request(conn: Connection, rid: str) -> Any:
    row = conn.execute(
        select(trace_requests).where(
            trace_requests.c.direction == "out", trace_requests.c.id == rid
        )
    ).first()
    if row is None:
        raise NotFound("trace.no_request", id=rid)
    return row


def _client(node: Node, partner: str, http: httpx.Client | None) -> PartnerClient:
    return PartnerClient(node, get_partner(node, partner), client=http)


def send(node: Node, rid: str, http: httpx.Client | None = None) -> dict[str, Any]:
    """Post the stored request to its partner; statuses advance from the answer."""
    with node.read() as conn:
        req = _request(conn, rid)
        rows = conn.execute(
            select(trace_items)
            .where(trace_items.c.direction == "out", trace_items.c.request_id == rid)
            .order_by(trace_items.c.item)
        ).all()
    payload = {
        "request": rid,
        "seizure": req.seizure,
        "items": [
            {"firearm": json.loads(r.firearm), "recovery": json.loads(r.recovery)} for r in rows
        ],
    }
    client = _client(node, req.partner, http)
    try:
        answer = wire.post(client, PARTNER_REQUESTS, payload)
    finally:
        client.close()
    _apply(node, rid, answer, results=False)
    return answer if isinstance(answer, dict) else {}


def _apply(node: Node, rid: str, answer: Any, results: bool) -> None:
    items = answer.get("items") if isinstance(answer, dict) else None
    if not isinstance(items, list):
        raise InvalidInput("trace.bad_answer")
    with node.write() as conn:
        current = {
            r.item: r.status
            for r in conn.execute(
                select(trace_items.c.item, trace_items.c.status).where(
                    trace_items.c.direction == "out", trace_items.c.request_id == rid
                )
            )
        }
        for item in items:
            if not isinstance(item, dict) or item.get("item") not in current:
                continue
            new = str(item.get("status", ""))
            if not can_advance(current[item["item"]], new):
                continue
            values: dict[str, Any] = {"status": new, "updated_at": now()}
            if results:
                values.update(
                    result=json.dumps(item, sort_keys=True), step2=str(item.get("step2") or "")
                )
            conn.execute(
                update(trace_items)
                .where(
                    trace_items.c.direction == "out",
                    trace_items.c.request_id == rid,
                    trace_items.c.item == item["item"],
                )
                .values(**values)
            )
        if results:
            named = sum(1 for i in items if isinstance(i, dict) and i.get("purchaser"))
            node.audit.append(
                conn,
                "exchange",
                "trace_results_received",
                rid,
                {"items": len(items), "purchasers": named},
            )


def refresh(node: Node, user: User, rid: str, http: httpx.Client | None = None) -> dict[str, Any]:
    """Resend if never acknowledged, then fetch the partner's released results."""
    require_role(user, "analyst")
    with node.read() as conn:
        req = _request(conn, rid)
        unsent = status_view(conn, "out", rid)["status"] == "sent"
    if unsent:
        send(node, rid, http)
    client = _client(node, req.partner, http)
    try:
        answer = wire.get(client, PARTNER_RESULTS, {"request": rid})
    finally:
        client.close()
    _apply(node, rid, answer, results=True)
    return results(node, user, rid)


def status(node: Node, user: User, rid: str) -> dict[str, Any]:
    require_role(user, "analyst")
    with node.read() as conn:
        req = _request(conn, rid)
        view = status_view(conn, "out", rid)
    return {**view, "partner": req.partner, "seizure": req.seizure, "created_at": req.created_at}


def results(node: Node, user: User, rid: str) -> dict[str, Any]:
    """Each item as described and the partner's released result."""
    require_role(user, "analyst")
    with node.read() as conn:
        req = _request(conn, rid)
        rows = conn.execute(
            select(trace_items)
            .where(trace_items.c.direction == "out", trace_items.c.request_id == rid)
            .order_by(trace_items.c.item)
        ).all()
    view = status(node, user, rid)
    view["items"] = [
        {
            "item": r.item,
            "status": r.status,
            "firearm": json.loads(r.firearm),
            "recovery": json.loads(r.recovery),
            "result": json.loads(r.result),
        }
        for r in rows
    ]
    view["partner"] = req.partner
    return view


def step2(
    node: Node,
    user: User,
    rid: str,
    item: int,
    justification: str,
    http: httpx.Client | None = None,
) -> dict[str, Any]:
    """Ask the partner to release the purchaser's identity for one completed item."""
    require_role(user, "analyst")
    with node.read() as conn:
        req = _request(conn, rid)
    client = _client(node, req.partner, http)
    try:
        answer = wire.post(
            client, PARTNER_STEP2, {"request": rid, "item": item, "justification": justification}
        )
    finally:
        client.close()
    with node.write() as conn:
        conn.execute(
            update(trace_items)
            .where(
                trace_items.c.direction == "out",
                trace_items.c.request_id == rid,
                trace_items.c.item == item,
            )
            .values(
                step2=str(answer.get("step2", "")),
                step2_note=justification[:4000],
                updated_at=now(),
            )
        )
        node.audit.append(
            conn, user.username, "trace_step2_sent", f"{rid}/{item}", {"partner": req.partner}
        )
    return dict(answer)
