"""Analysts' judgements on pairs of records: same / not same / unsure, and undo.

Invariant: ``resolve_decisions`` is append-only. A decision is never updated or deleted;
undoing one appends a row ``judgement="undo"`` naming it. The judgement in force for a
pair is its newest decision that is not undone (so undoing the newest brings back the one
before it); "unsure" is recorded and keeps the pair out of the review queue but neither
links nor separates. Judgements in force override the model in clustering
(``clusters.cluster``). Each decision is audited in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, or_, select

from puente.errors import Conflict, InvalidInput, NotFound
from puente.resolve.clusters import Pair, ordered
from puente.store.audit import now
from puente.store.tables import records, resolve_decisions

JUDGEMENTS = ("same", "not_same", "unsure")
MAX_NOTE = 2000


@dataclass(frozen=True)
class Decision:
    id: int
    left_id: str
    right_id: str
    judgement: str
    actor: str
    note: str
    at: str
    undoes: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "left_id": self.left_id,
            "right_id": self.right_id,
            "judgement": self.judgement,
            "actor": self.actor,
            "note": self.note,
            "at": self.at,
            "undoes": self.undoes,
        }


def from_row(r: Any) -> Decision:
    """A ``resolve_decisions`` row as a ``Decision``."""
    m = r._mapping
    return Decision(
        m["id"],
        m["left_id"],
        m["right_id"],
        m["judgement"],
        m["actor"],
        m["note"],
        m["at"],
        m["undoes"],
    )


def _append(
    conn: Connection, pair: Pair, judgement: str, actor: str, note: str, undoes: int | None = None
) -> Decision:
    at = now()
    result = conn.execute(
        resolve_decisions.insert().values(
            left_id=pair[0],
            right_id=pair[1],
            judgement=judgement,
            undoes=undoes,
            actor=actor,
            note=note,
            at=at,
        )
    )
    pk = result.inserted_primary_key
    assert pk is not None
    return Decision(int(pk[0]), pair[0], pair[1], judgement, actor, note, at, undoes)


def decide(
    conn: Connection, a: str, b: str, judgement: str, actor: str, note: str = ""
) -> Decision:
    """Record a judgement on the pair (a, b); both records must exist and differ."""
    if judgement not in JUDGEMENTS:
        raise InvalidInput(
            "resolve.bad_judgement", value=judgement[:40], allowed=", ".join(JUDGEMENTS)
        )
    if a == b:
        raise InvalidInput("resolve.same_record", id=a[:200])
    if len(note) > MAX_NOTE:
        raise InvalidInput("resolve.note_too_long", limit=MAX_NOTE)
    found = {r[0] for r in conn.execute(select(records.c.id).where(records.c.id.in_([a, b])))}
    for rid in (a, b):
        if rid not in found:
            raise NotFound("error.no_record", id=rid[:200])
    return _append(conn, ordered(a, b), judgement, actor, note)


def get(conn: Connection, decision_id: int) -> Decision:
    row = conn.execute(
        select(resolve_decisions).where(resolve_decisions.c.id == decision_id)
    ).first()
    if row is None:
        raise NotFound("resolve.no_decision", id=decision_id)
    return from_row(row)


def undo(conn: Connection, decision_id: int, actor: str, note: str = "") -> Decision:
    """Append an undo of ``decision_id``; an undo cannot be undone (decide again)."""
    target = get(conn, decision_id)
    if target.judgement == "undo":
        raise Conflict("resolve.undo_undo", id=decision_id)
    again = conn.execute(
        select(resolve_decisions.c.id).where(resolve_decisions.c.undoes == decision_id)
    ).first()
    if again is not None:
        raise Conflict("resolve.already_undone", id=decision_id)
    return _append(conn, (target.left_id, target.right_id), "undo", actor, note, decision_id)


def in_force(conn: Connection, record_ids: list[str] | None = None) -> dict[Pair, Decision]:
    """The judgement in force per pair (optionally only pairs touching ``record_ids``)."""
    query = select(resolve_decisions).order_by(resolve_decisions.c.id)
    rows: list[Decision] = []
    if record_ids is None:
        rows = [from_row(r) for r in conn.execute(query)]
    else:
        seen: set[int] = set()
        for i in range(0, len(record_ids), 400):
            chunk = record_ids[i : i + 400]
            where = or_(
                resolve_decisions.c.left_id.in_(chunk), resolve_decisions.c.right_id.in_(chunk)
            )
            for r in conn.execute(query.where(where)):
                if r.id not in seen:
                    seen.add(r.id)
                    rows.append(from_row(r))
        rows.sort(key=lambda d: d.id)
    undone = {d.undoes for d in rows if d.undoes is not None}
    out: dict[Pair, Decision] = {}
    for d in rows:
        if d.judgement != "undo" and d.id not in undone:
            out[(d.left_id, d.right_id)] = d
    return out


def history(conn: Connection, a: str, b: str) -> list[Decision]:
    left, right = ordered(a, b)
    query = select(resolve_decisions).where(
        resolve_decisions.c.left_id == left, resolve_decisions.c.right_id == right
    )
    return [from_row(r) for r in conn.execute(query.order_by(resolve_decisions.c.id))]


def split(decided: dict[Pair, Decision]) -> tuple[list[Pair], list[Pair]]:
    """(same pairs, not-same pairs) in decision order."""
    ordered_ds = sorted(decided.values(), key=lambda d: d.id)
    same = [(d.left_id, d.right_id) for d in ordered_ds if d.judgement == "same"]
    not_same = [(d.left_id, d.right_id) for d in ordered_ds if d.judgement == "not_same"]
    return same, not_same
