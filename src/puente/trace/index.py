"""The acquisition index: every (firearm, retail acquisition) the node holds, with the
folded serial and its deletion-neighbourhood keys, so that near-matches are look-ups.

Invariant: ``trace_guns`` and ``trace_keys`` are a pure function of the records up to
``trace_index_state.cursor`` (a position in ``changes.seq``). ``refresh`` follows the
change feed page by page; each page re-derives the rows of every acquisition it touches
(an acquisition changed, one of its firearms changed, or either was retracted) and moves
the cursor in the same transaction, so a reader never sees a half-indexed page.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from puente.node import Node
from puente.store import db
from puente.store.audit import now
from puente.store.tables import changes, records, trace_guns, trace_index_state, trace_keys
from puente.trace.describe import calibre_key, make_key, type_key
from puente.trace.serials import deletion_keys, fold, key_hash

PAGE = 5000
_NAME = "acquisitions"
GUN_COLUMNS = (
    "id",
    "firearm_id",
    "acquisition_id",
    "make_key",
    "serial_key",
    "serial",
    "caliber_key",
    "type_key",
    "model",
    "country",
    "purchase_date",
    "purchaser_id",
    "dealer_id",
    "dealer_license",
    "state",
)


@dataclass(frozen=True)
class IndexReport:
    changes: int
    acquisitions: int
    guns: int
    cursor: int


def _first(props: dict[str, list[str]], name: str) -> str:
    values = props.get(name) or [""]
    return values[0]


def cursor(conn: Connection) -> int:
    row = conn.execute(
        select(trace_index_state.c.cursor).where(trace_index_state.c.name == _NAME)
    ).first()
    return int(row.cursor) if row else 0


def refresh(node: Node, page: int = PAGE) -> IndexReport:
    """Bring the index up to the newest change; returns what was (re)indexed."""
    seen = acquisitions = 0
    while True:
        with node.write() as conn:
            db.lock_chain(conn, "trace_index")
            start = cursor(conn)
            rows = conn.execute(
                select(changes.c.seq, changes.c.record_id)
                .where(changes.c.seq > start)
                .order_by(changes.c.seq)
                .limit(page)
            ).all()
            if not rows:
                guns = conn.execute(select(func.count()).select_from(trace_guns)).scalar_one()
                return IndexReport(seen, acquisitions, int(guns), start)
            acquisitions += _reindex(conn, sorted({r.record_id for r in rows}))
            seen += len(rows)
            db.upsert(
                conn,
                trace_index_state,
                [{"name": _NAME, "cursor": rows[-1].seq, "updated_at": now()}],
                ["name"],
            )


def _properties(conn: Connection, ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for i in range(0, len(ids), 500):
        query = select(records.c.id, records.c.schema, records.c.properties).where(
            records.c.id.in_(ids[i : i + 500])
        )
        for row in conn.execute(query):
            out[row.id] = (row.schema, json.loads(row.properties))
    return out


def _reindex(conn: Connection, ids: list[str]) -> int:
    """Re-derive every acquisition touched by the changed records ``ids``."""
    current = _properties(conn, ids)
    touched = {rid for rid, (schema, _) in current.items() if schema == "Acquisition"}
    empty = conn.execute(select(trace_guns.c.id).limit(1)).first() is None
    for i in range(0, len(ids) if not empty else 0, 500):
        chunk = ids[i : i + 500]
        query = select(trace_guns.c.acquisition_id).where(
            trace_guns.c.firearm_id.in_(chunk) | trace_guns.c.acquisition_id.in_(chunk)
        )
        touched.update(r.acquisition_id for r in conn.execute(query))
    if not touched:
        return 0
    ordered = sorted(touched)
    if not empty:
        _delete(conn, ordered)
    missing = [rid for rid in ordered if rid not in current]
    acqs = {k: v for k, v in current.items() if v[0] == "Acquisition"}
    acqs.update({k: v for k, v in _properties(conn, missing).items() if v[0] == "Acquisition"})
    gun_ids = sorted({f for _, props in acqs.values() for f in props.get("firearm", [])})
    guns = {k: v for k, v in _properties(conn, gun_ids).items() if v[0] == "Firearm"}
    next_id = int(conn.execute(select(func.coalesce(func.max(trace_guns.c.id), 0))).scalar_one())
    gun_rows: list[tuple[Any, ...]] = []
    key_rows: list[tuple[int, int]] = []
    for acq_id, (_, acq) in sorted(acqs.items()):
        for fid in acq.get("firearm", []):
            if fid not in guns:
                continue
            next_id += 1
            row = _gun_row(next_id, fid, guns[fid][1], acq_id, acq)
            gun_rows.append(row)
            key_rows.extend((key_hash(row[3], k), next_id) for k in _keys(row[4]))
    db.insert_rows(conn, "trace_guns", GUN_COLUMNS, gun_rows)
    db.insert_rows(conn, "trace_keys", ("h", "gun"), key_rows)
    return len(acqs)


def _keys(serial_key: str) -> Iterable[str]:
    return deletion_keys(serial_key) if serial_key else ()


def _gun_row(
    gid: int, fid: str, gun: dict[str, list[str]], acq_id: str, acq: dict[str, list[str]]
) -> tuple[Any, ...]:
    serial = _first(gun, "serialNumber")
    return (
        gid,
        fid,
        acq_id,
        make_key(_first(gun, "make")),
        fold(serial),
        serial[:100],
        calibre_key(_first(gun, "caliber"))[:32],
        type_key(_first(gun, "firearmType"))[:16],
        _first(gun, "model")[:200],
        _first(gun, "manufactureCountry")[:3],
        _first(acq, "date")[:10],
        _first(acq, "purchaser"),
        _first(acq, "dealer"),
        _first(acq, "dealerLicense")[:64],
        _first(acq, "state")[:32],
    )


def _delete(conn: Connection, acquisition_ids: list[str]) -> None:
    for i in range(0, len(acquisition_ids), 500):
        chunk = acquisition_ids[i : i + 500]
        gone = select(trace_guns.c.id).where(trace_guns.c.acquisition_id.in_(chunk))
        conn.execute(trace_keys.delete().where(trace_keys.c.gun.in_(gone)))
        conn.execute(trace_guns.delete().where(trace_guns.c.acquisition_id.in_(chunk)))
