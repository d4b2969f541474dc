"""Step 2: a follow-up request for the record behind a hit, decided by the owner.

Lifecycle (the same id on both nodes; ``direction`` "out" at the requester, "in" at the
owner): ``pending`` → ``approved`` | ``refused`` | ``expired``. A request is due 8 h
(``urgent``) or 48 h (``normal``, as Prüm II) after it was made; past that it is shown
as *overdue* on both sides until decided, and it expires unanswered after ``EXPIRY``.

Approval (``release.approve``) writes a release copy that the signed feed carries.

Invariant: every transition is written together with its audit entry in one
transaction.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from puente.errors import Conflict, InvalidInput, NotFound
from puente.node import Node
from puente.store.tables import hitnohit_hits, hitnohit_requests

DUE = {"urgent": timedelta(hours=8), "normal": timedelta(hours=48)}
EXPIRY = timedelta(days=30)


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Request:
    id: str
    direction: str
    partner: str
    hit_ref: str
    case_number: str
    justification: str
    urgency: str
    status: str
    created_by: str
    created_at: str
    due_at: str
    expires_at: str
    decided_by: str
    decided_at: str | None
    reason: str
    redactions: list[str]
    handling: str
    release_id: str

    @property
    def overdue(self) -> bool:
        return self.status == "pending" and _ts(_now()) > self.due_at

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "overdue": self.overdue}


def _request(row: Any) -> Request:
    m = dict(row._mapping)
    m["redactions"] = json.loads(m["redactions"] or "[]")
    return Request(**m)


def get(conn: Connection, rid: str, direction: str) -> Request:
    row = conn.execute(
        select(hitnohit_requests).where(
            hitnohit_requests.c.id == rid, hitnohit_requests.c.direction == direction
        )
    ).first()
    if row is None:
        raise NotFound("hitnohit.no_request", id=rid[:40])
    return _request(row)


def expire(node: Node, conn: Connection) -> int:
    """Mark pending requests past their expiry as expired (audited); returns how many."""
    stamp = _ts(_now())
    rows = conn.execute(
        select(
            hitnohit_requests.c.id, hitnohit_requests.c.direction, hitnohit_requests.c.partner
        ).where(hitnohit_requests.c.status == "pending", hitnohit_requests.c.expires_at < stamp)
    ).all()
    for rid, direction, partner in rows:
        _set(conn, rid, direction, status="expired", decided_at=stamp)
        node.audit.append(
            conn,
            "system",
            "hitnohit_request_expired",
            partner,
            {"request": rid, "direction": direction},
        )
    return len(rows)


def _set(conn: Connection, rid: str, direction: str, **values: Any) -> None:
    conn.execute(
        hitnohit_requests.update()
        .where(hitnohit_requests.c.id == rid, hitnohit_requests.c.direction == direction)
        .values(**values)
    )


def validate(case_number: str, justification: str, urgency: str) -> None:
    if not 1 <= len(case_number.strip()) <= 100 or "\x00" in case_number:
        raise InvalidInput("hitnohit.bad_case")
    if not 10 <= len(justification.strip()) <= 4000 or "\x00" in justification:
        raise InvalidInput("hitnohit.bad_justification")
    if urgency not in DUE:
        raise InvalidInput("hitnohit.bad_urgency", value=urgency[:20])


def insert(
    conn: Connection,
    rid: str,
    direction: str,
    partner: str,
    hit_ref: str,
    case_number: str,
    justification: str,
    urgency: str,
    actor: str,
    created: datetime,
) -> Request:
    row = {
        "id": rid,
        "direction": direction,
        "partner": partner,
        "hit_ref": hit_ref,
        "case_number": case_number.strip(),
        "justification": justification.strip(),
        "urgency": urgency,
        "status": "pending",
        "created_by": actor,
        "created_at": _ts(created),
        "due_at": _ts(created + DUE[urgency]),
        "expires_at": _ts(created + EXPIRY),
        "decided_by": "",
        "decided_at": None,
        "reason": "",
        "redactions": "[]",
        "handling": "",
        "release_id": "",
    }
    conn.execute(hitnohit_requests.insert(), row)
    return get(conn, rid, direction)


# --- the owner's side ------------------------------------------------------------------


def receive(node: Node, partner: str, body: dict[str, Any]) -> dict[str, Any]:
    """Register a partner's request for one of the hits we gave it."""
    rid, ref = str(body.get("id", ""))[:40], str(body.get("ref", ""))[:40]
    case, why = str(body.get("case_number", "")), str(body.get("justification", ""))
    urgency = str(body.get("urgency", "normal"))
    if not rid.isalnum() or not ref.isalnum():
        raise InvalidInput("hitnohit.bad_query", reason="id")
    validate(case, why, urgency)
    with node.write() as conn:
        hit = conn.execute(
            select(hitnohit_hits.c.ref).where(
                hitnohit_hits.c.ref == ref,
                hitnohit_hits.c.direction == "in",
                hitnohit_hits.c.partner == partner,
            )
        ).first()
        if hit is None:
            raise NotFound("hitnohit.no_hit", ref=ref)
        exists = conn.execute(
            select(hitnohit_requests.c.id).where(
                hitnohit_requests.c.id == rid, hitnohit_requests.c.direction == "in"
            )
        ).first()
        if exists is not None:
            raise Conflict("hitnohit.duplicate_request", id=rid)
        req = insert(
            conn, rid, "in", partner, ref, case, why, urgency, f"partner:{partner}", _now()
        )
        node.audit.append(
            conn,
            f"partner:{partner}",
            "hitnohit_request_received",
            partner,
            {
                "request": rid,
                "hit": ref,
                "case": req.case_number,
                "urgency": urgency,
                "due_at": req.due_at,
            },
        )
    return status_view(req)


def status_view(req: Request) -> dict[str, Any]:
    """What the requester may know of its request: never the owner's record id."""
    return {
        "id": req.id,
        "status": req.status,
        "due_at": req.due_at,
        "expires_at": req.expires_at,
        "decided_at": req.decided_at,
        "reason": req.reason,
        "handling": req.handling,
        "release_id": req.release_id,
    }


def statuses(node: Node, partner: str, ids: list[str]) -> list[dict[str, Any]]:
    with node.write() as conn:
        expire(node, conn)
        rows = conn.execute(
            select(hitnohit_requests).where(
                hitnohit_requests.c.direction == "in",
                hitnohit_requests.c.partner == partner,
                hitnohit_requests.c.id.in_(ids[:500]),
            )
        ).all()
    return [status_view(_request(r)) for r in rows]


def refuse(node: Node, actor: str, rid: str, reason: str) -> Request:
    if not 3 <= len(reason.strip()) <= 2000 or "\x00" in reason:
        raise InvalidInput("hitnohit.bad_reason")
    with node.write() as conn:
        expire(node, conn)
        req = get(conn, rid, "in")
        if req.status != "pending":
            raise Conflict("hitnohit.not_pending", id=rid, status=req.status)
        _set(
            conn,
            rid,
            "in",
            status="refused",
            decided_by=actor,
            decided_at=_ts(_now()),
            reason=reason.strip(),
        )
        node.audit.append(
            conn,
            actor,
            "hitnohit_request_refused",
            req.partner,
            {"request": rid, "reason": reason.strip()[:500]},
        )
        return get(conn, rid, "in")


def listing(
    node: Node, direction: str | None, status: str | None, limit: int = 200
) -> list[Request]:
    with node.write() as conn:
        expire(node, conn)
        q = select(hitnohit_requests).order_by(hitnohit_requests.c.due_at).limit(limit)
        if direction:
            q = q.where(hitnohit_requests.c.direction == direction)
        if status == "overdue":
            q = q.where(
                hitnohit_requests.c.status == "pending", hitnohit_requests.c.due_at < _ts(_now())
            )
        elif status:
            q = q.where(hitnohit_requests.c.status == status)
        return [_request(r) for r in conn.execute(q)]


def new_id() -> str:
    return secrets.token_hex(16)
