"""Step 2 of a trace: the requesting partner asks for the purchaser's identity behind a
completed result, with a justification; the answering node's releasing officer approves
or refuses. Approval is what ``release.released`` honours on the next read of results.

Invariants: only a ``completed`` item can be asked about; a decision needs a pending
request, the ``releasing_officer`` role and clearance for the purchaser's record; every
request and decision is audited with who made it.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, update

from puente.access import require_role
from puente.errors import Conflict, Forbidden, InvalidInput
from puente.node import Node
from puente.store import records as record_store
from puente.store.audit import now
from puente.store.tables import trace_items
from puente.store.users import User
from puente.trace.inbound import checked_id, item_row

MAX_NOTE = 2000


def ask_step2(node: Node, partner: str, payload: Any) -> dict[str, Any]:
    """A partner asks for the purchaser's identity of one completed item."""
    if not isinstance(payload, dict) or not isinstance(payload.get("item"), int):
        raise InvalidInput("trace.bad_body")
    rid = checked_id(payload.get("request"), partner)
    why = str(payload.get("justification") or "").strip()
    if not why or len(why) > MAX_NOTE:
        raise InvalidInput("trace.bad_justification", limit=MAX_NOTE)
    with node.write() as conn:
        row = item_row(conn, rid, payload["item"], partner)
        if row.status != "completed":
            raise Conflict("trace.step2_not_completed", id=rid, item=row.item)
        if row.step2 in ("requested", "approved"):
            return {"request": rid, "item": row.item, "step2": row.step2}
        _step2(conn, row, "requested", why)
        node.audit.append(conn, partner, "trace_step2_requested", f"{rid}/{row.item}", {})
    return {"request": rid, "item": row.item, "step2": "requested"}


def decide_step2(
    node: Node, user: User, rid: str, item: int, approve: bool, note: str = ""
) -> dict[str, Any]:
    """The releasing officer approves or refuses a pending step-2 request."""
    require_role(user, "releasing_officer")
    if len(note) > MAX_NOTE:
        raise InvalidInput("trace.bad_justification", limit=MAX_NOTE)
    with node.write() as conn:
        row = item_row(conn, rid, item)
        if row.step2 != "requested":
            raise Conflict("trace.step2_not_pending", id=rid, item=item)
        decision = "approved" if approve else "refused"
        result = json.loads(row.result)
        if approve and result.get("purchaser_id"):
            level = _level(conn, result["purchaser_id"])
            if level > user.clearance:
                raise Forbidden("error.clearance", id=result["purchaser_id"])
        _step2(conn, row, decision, (row.step2_note + "\n" + note).strip())
        node.audit.append(
            conn,
            user.username,
            f"trace_step2_{decision}",
            f"{rid}/{item}",
            {"partner": row.partner},
        )
    return {"request": rid, "item": item, "step2": decision}


def _level(conn: Connection, rid: str) -> int:
    return record_store.get(conn, rid).markings.level


def _step2(conn: Connection, row: Any, state: str, note: str) -> None:
    conn.execute(
        update(trace_items)
        .where(
            trace_items.c.direction == "in",
            trace_items.c.request_id == row.request_id,
            trace_items.c.item == row.item,
        )
        .values(step2=state, step2_note=note[: MAX_NOTE * 2], updated_at=now())
    )
