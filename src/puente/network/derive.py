"""The network's derived tables, kept current from the change feed.

Invariant: ``network_edges`` and ``network_attrs`` hold exactly what
``relations.extract`` gives for the current version of every record up to the cursor in
``network_state`` (a record that no longer exists contributes nothing). A refresh
replaces the rows of each changed record and moves the cursor in the same transaction,
so a crash re-does a batch and never leaves half of one; refreshers serialise through
``db.lock_chain("network")``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, select

from puente.network.relations import extract
from puente.node import Node
from puente.store import db
from puente.store.audit import now
from puente.store.tables import changes, network_attrs, network_edges, network_state, records

STATE = "derived"
BATCH = 5000
EDGE_COLS = ("record_id", "seq", "source", "target", "kind", "directed", "weight", "date", "level")
ATTR_COLS = ("record_id", "entity_ref", "kind", "value", "level")


@dataclass(frozen=True)
class RefreshReport:
    records: int
    edges: int
    attrs: int
    cursor: int
    full: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "edges": self.edges,
            "attrs": self.attrs,
            "cursor": self.cursor,
            "full": self.full,
        }


def cursor(conn: Connection) -> int:
    value = conn.execute(
        select(network_state.c.cursor).where(network_state.c.name == STATE)
    ).scalar_one_or_none()
    return -1 if value is None else int(value)


def head(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(changes.c.seq), 0))).scalar_one())


def _set_cursor(conn: Connection, seq: int) -> None:
    db.upsert(
        conn,
        network_state,
        [{"name": STATE, "cursor": seq, "updated_at": now()}],
        ["name"],
    )


def _rows(rows: Iterable[Any], own: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    edges: list[tuple[Any, ...]] = []
    attrs: list[tuple[Any, ...]] = []
    for rid, schema, props, origin, level in rows:
        found, held = extract(rid, schema, json.loads(props), origin, own)
        for i, e in enumerate(found):
            edges.append((rid, i, e.source, e.target, e.kind, e.directed, e.weight, e.date, level))
        for a in held:
            attrs.append((rid, a.entity_ref, a.kind, a.value, level))
    return edges, attrs


_COLS = (records.c.id, records.c.schema, records.c.properties, records.c.origin, records.c.level)


def _write(conn: Connection, edges: list[tuple[Any, ...]], attrs: list[tuple[Any, ...]]) -> None:
    db.insert_rows(conn, "network_edges", EDGE_COLS, edges)
    db.insert_rows(conn, "network_attrs", ATTR_COLS, attrs)


def rebuild(node: Node) -> RefreshReport:
    """Derive both tables from every current record (one transaction)."""
    with node.write() as conn:
        db.lock_chain(conn, "network")
        seq = head(conn)
        conn.execute(delete(network_edges))
        conn.execute(delete(network_attrs))
        n = ne = na = 0
        last = ""
        while True:  # keyset pages: no cursor stays open while this connection writes
            page = conn.execute(
                select(*_COLS).where(records.c.id > last).order_by(records.c.id).limit(BATCH)
            ).all()
            if not page:
                break
            last = page[-1][0]
            e, a = _rows(page, node.country)
            _write(conn, e, a)
            n, ne, na = n + len(page), ne + len(e), na + len(a)
        _set_cursor(conn, seq)
    return RefreshReport(n, ne, na, seq, True)


def _replace(conn: Connection, ids: Sequence[str], own: str) -> tuple[int, int]:
    for i in range(0, len(ids), 500):
        chunk = list(ids[i : i + 500])
        conn.execute(delete(network_edges).where(network_edges.c.record_id.in_(chunk)))
        conn.execute(delete(network_attrs).where(network_attrs.c.record_id.in_(chunk)))
    ne = na = 0
    for i in range(0, len(ids), 500):
        chunk = list(ids[i : i + 500])
        e, a = _rows(conn.execute(select(*_COLS).where(records.c.id.in_(chunk))), own)
        _write(conn, e, a)
        ne, na = ne + len(e), na + len(a)
    return ne, na


def refresh(node: Node, *, full_after: int = 200_000) -> RefreshReport:
    """Bring the derived tables up to the change feed: the changed records only, or a
    full rebuild when they were never built or more than ``full_after`` changes wait."""
    with node.read() as conn:
        start, end = cursor(conn), head(conn)
    if start < 0 or end - start > full_after:
        return rebuild(node)
    n = ne = na = 0
    while True:
        with node.write() as conn:
            db.lock_chain(conn, "network")
            at = cursor(conn)
            rows = conn.execute(
                select(changes.c.seq, changes.c.record_id)
                .where(changes.c.seq > at)
                .order_by(changes.c.seq)
                .limit(BATCH)
            ).all()
            if not rows:
                return RefreshReport(n, ne, na, at, False)
            ids = sorted({r for _, r in rows})
            e, a = _replace(conn, ids, node.country)
            _set_cursor(conn, int(rows[-1][0]))
            n, ne, na = n + len(ids), ne + e, na + a
