"""The acquisition index: every (firearm, retail acquisition) the node holds, with the
folded serial and its deletion-neighbourhood keys, so that near-matches are look-ups.

Invariant: ``trace_guns`` and ``trace_keys`` are a pure function of the records up to
``trace_index_state.cursor`` (a position in ``changes.seq``). ``refresh`` follows the
change feed page by page; each page re-derives the rows of every acquisition it touches
(an acquisition changed, one of its firearms changed, or either was retracted) and moves
the cursor in the same transaction, so a reader never sees a half-indexed page. When the
index was never built, was written by an older key scheme, or more changes are pending
than one page and than it holds guns, ``refresh`` rebuilds it instead, in one
transaction: indexes dropped, every acquisition streamed and derived in batches (keys
hashed in numpy, rows bulk-inserted), indexes created again, cursor set to the newest
change read at the start.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import Connection, bindparam, func, select

from puente.node import Node
from puente.store import db
from puente.store.audit import now
from puente.store.tables import changes, records, trace_guns, trace_index_state, trace_keys
from puente.trace.describe import calibre_key, make_key, type_key
from puente.trace.keys import neighbourhood_hashes
from puente.trace.serials import fold
from puente.workers import gc_paused

PAGE = 5000  # changes per incremental page
BATCH = 20_000  # acquisitions per batch of a rebuild
_IN = 2000  # ids per IN list
# The state row's name carries the key scheme: a node indexed under another scheme (v1
# hashed each key with blake2b) has no cursor under this name and is rebuilt.
_NAME = "acquisitions/2"
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
_BY_ID = select(records.c.id, records.c.schema, records.c.properties).where(
    records.c.id.in_(bindparam("ids", expanding=True))
)

Props = dict[str, list[str]]


@dataclass(frozen=True)
class IndexReport:
    changes: int
    acquisitions: int
    guns: int
    cursor: int
    rebuilt: bool = False


def _first(props: Props, name: str) -> str:
    values = props.get(name)
    return values[0] if values else ""


def cursor(conn: Connection) -> int:
    row = conn.execute(
        select(trace_index_state.c.cursor).where(trace_index_state.c.name == _NAME)
    ).first()
    return int(row.cursor) if row else 0


def _count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(trace_guns)).scalar_one())


def _move(conn: Connection, position: int) -> None:
    db.upsert(
        conn,
        trace_index_state,
        [{"name": _NAME, "cursor": position, "updated_at": now()}],
        ["name"],
    )


def refresh(node: Node, page: int = PAGE) -> IndexReport:
    """Bring the index up to the newest change; returns what was (re)indexed."""
    with node.write() as conn:
        db.lock_chain(conn, "trace_index")
        start = cursor(conn)
        top = int(conn.execute(select(func.coalesce(func.max(changes.c.seq), 0))).scalar_one())
        backlog = top - start
        if backlog > 0 and (start == 0 or (backlog > page and backlog > _count(conn))):
            with gc_paused():
                built = rebuild(conn)
            _move(conn, top)
            return IndexReport(backlog, built, _count(conn), top, rebuilt=True)
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
                return IndexReport(seen, acquisitions, _count(conn), start)
            acquisitions += _reindex(conn, sorted({r.record_id for r in rows}))
            seen += len(rows)
            _move(conn, rows[-1].seq)


def rebuild(conn: Connection) -> int:
    """Derive the whole index from the current records (the caller moves the cursor in
    the same transaction); returns the acquisitions read."""
    dropped = [*trace_keys.indexes, *trace_guns.indexes]
    for ix in dropped:
        ix.drop(conn)
    conn.execute(trace_keys.delete())
    conn.execute(trace_guns.delete())
    conn.execute(trace_index_state.delete().where(trace_index_state.c.name != _NAME))
    query = (
        select(records.c.id, records.c.properties)
        .where(records.c.schema == "Acquisition")
        .execution_options(yield_per=BATCH)
    )
    seen = last_id = 0
    for part in conn.execute(query).partitions():
        acqs = [(rid, orjson.loads(props)) for rid, props in part]
        guns = _firearms(conn, sorted({f for _, p in acqs for f in p.get("firearm", [])}))
        last_id = _write(conn, acqs, guns, last_id)
        seen += len(acqs)
    for ix in dropped:
        ix.create(conn)
    # Fresh statistics, so planners take the key and purchaser indexes (same on both).
    conn.exec_driver_sql("ANALYZE trace_guns")
    return seen


def _properties(conn: Connection, ids: Sequence[str]) -> dict[str, tuple[str, Props]]:
    out: dict[str, tuple[str, Props]] = {}
    for i in range(0, len(ids), _IN):
        for rid, schema, props in conn.execute(_BY_ID, {"ids": list(ids[i : i + _IN])}).all():
            out[rid] = (schema, orjson.loads(props))
    return out


def _firearms(conn: Connection, ids: Sequence[str]) -> dict[str, Props]:
    return {k: v for k, (schema, v) in _properties(conn, ids).items() if schema == "Firearm"}


def _write(
    conn: Connection, acqs: Sequence[tuple[str, Props]], guns: dict[str, Props], last_id: int
) -> int:
    """Insert the rows and keys of ``acqs``, numbering guns after ``last_id``; returns the
    last number used."""
    gun_rows: list[tuple[Any, ...]] = []
    for acq_id, acq in acqs:
        for fid in acq.get("firearm", []):
            if fid in guns:
                gun_rows.append(_gun_row(last_id + len(gun_rows) + 1, fid, guns[fid], acq_id, acq))
    if not gun_rows:
        return last_id
    hashes, at = neighbourhood_hashes([r[3] for r in gun_rows], [r[4] for r in gun_rows])
    db.insert_rows(conn, "trace_guns", GUN_COLUMNS, gun_rows)
    db.insert_rows(
        conn,
        "trace_keys",
        ("h", "gun"),
        list(zip(hashes.tolist(), (at + last_id + 1).tolist(), strict=True)),
    )
    return last_id + len(gun_rows)


def _reindex(conn: Connection, ids: list[str]) -> int:
    """Re-derive every acquisition touched by the changed records ``ids``."""
    current = _properties(conn, ids)
    touched = {rid for rid, (schema, _) in current.items() if schema == "Acquisition"}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        query = select(trace_guns.c.acquisition_id).where(
            trace_guns.c.firearm_id.in_(chunk) | trace_guns.c.acquisition_id.in_(chunk)
        )
        touched.update(r.acquisition_id for r in conn.execute(query))
    if not touched:
        return 0
    ordered = sorted(touched)
    _delete(conn, ordered)
    missing = [rid for rid in ordered if rid not in current]
    acqs = {k: v for k, (schema, v) in current.items() if schema == "Acquisition"}
    acqs.update(
        {k: v for k, (schema, v) in _properties(conn, missing).items() if schema == "Acquisition"}
    )
    guns = _firearms(conn, sorted({f for props in acqs.values() for f in props.get("firearm", [])}))
    last_id = int(conn.execute(select(func.coalesce(func.max(trace_guns.c.id), 0))).scalar_one())
    _write(conn, sorted(acqs.items()), guns, last_id)
    return len(acqs)


def _gun_row(gid: int, fid: str, gun: Props, acq_id: str, acq: Props) -> tuple[Any, ...]:
    serial = _first(gun, "serialNumber")
    return (
        gid,
        fid,
        acq_id,
        _make(_first(gun, "make")),
        fold(serial)[:64],
        serial[:100],
        _calibre(_first(gun, "caliber")),
        _type(_first(gun, "firearmType")),
        _first(gun, "model")[:200],
        _first(gun, "manufactureCountry")[:3],
        _first(acq, "date")[:10],
        _first(acq, "purchaser"),
        _first(acq, "dealer"),
        _first(acq, "dealerLicense")[:64],
        _first(acq, "state")[:32],
    )


# A node holds few distinct makes, calibres and types: their keys are derived once.
@lru_cache(maxsize=4096)
def _make(text: str) -> str:
    return make_key(text)[:64]


@lru_cache(maxsize=4096)
def _calibre(text: str) -> str:
    return calibre_key(text)[:32]


@lru_cache(maxsize=4096)
def _type(text: str) -> str:
    return type_key(text)[:16]


def _delete(conn: Connection, acquisition_ids: list[str]) -> None:
    for i in range(0, len(acquisition_ids), 500):
        chunk = acquisition_ids[i : i + 500]
        gone = select(trace_guns.c.id).where(trace_guns.c.acquisition_id.in_(chunk))
        conn.execute(trace_keys.delete().where(trace_keys.c.gun.in_(gone)))
        conn.execute(trace_guns.delete().where(trace_guns.c.acquisition_id.in_(chunk)))
