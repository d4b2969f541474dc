"""Apply verified entries from a partner: exactly once, in one transaction with the cursor.

Invariants:
- the received ledger rows (``exchange_inbox``), the read-only copies they produce, the
  pull cursor (``exchange_cursors``) and one audit entry are written in a single
  transaction; the transaction first checks that the cursor is still where the caller
  verified the page from, so a page is applied once or not at all — a crash (even
  ``kill -9``) leaves the node before or after the whole page;
- received copies are written through ``records.write_batch`` with ``origin`` = the
  partner and ids in the partner's namespace (``verify.local_id``); an upsert whose id
  is already held with another origin refuses the page (``exclusive``; a retraction
  only ever removes copies of that partner's);
- a retraction removes the copy — current state, search keys and its versions — and
  leaves only the ledger row (a tombstone: seq, record id, hash, signature) plus a
  ``changes`` row so that followers of the change feed (our own outbound feeds, whose
  partners may hold a forwarded copy) see that it is gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from puente.errors import Conflict
from puente.exchange.entry import GENESIS, RETRACT, UPSERT
from puente.exchange.verify import FeedRejected, Verified
from puente.node import Node
from puente.store import db
from puente.store.audit import now
from puente.store.records import IdTaken, write_batch
from puente.store.tables import (
    changes,
    exchange_cursors,
    exchange_inbox,
    identifiers,
    record_versions,
    records,
)

INBOX_COLUMNS = (
    "partner", "seq", "op", "record_id", "hash", "prev_hash", "signature", "received_at",
)  # fmt: skip


@dataclass(frozen=True)
class Cursor:
    seq: int = 0
    head: str = GENESIS


@dataclass(frozen=True)
class Applied:
    entries: int
    upserts: int
    retracts: int
    cursor: Cursor


def cursor(conn: Connection, partner: str) -> Cursor:
    row = conn.execute(
        select(exchange_cursors.c.seq, exchange_cursors.c.head).where(
            exchange_cursors.c.partner == partner
        )
    ).first()
    return Cursor(row[0], row[1]) if row else Cursor()


def apply_page(node: Node, partner: str, entries: Sequence[Verified], expect: Cursor) -> Applied:
    """Apply ``entries`` (verified from ``expect`` on) or nothing; returns what was done."""
    with node.write() as conn:
        db.lock_chain(conn, f"exchange_in:{partner}")
        if cursor(conn, partner) != expect:
            raise Conflict("exchange.cursor_moved", partner=partner)
        if not entries:
            return Applied(0, 0, 0, expect)
        ts = now()
        db.insert_rows(
            conn,
            "exchange_inbox",
            INBOX_COLUMNS,
            [(partner, e.seq, e.op, e.record_id, e.hash, e.prev, e.signature, ts) for e in entries],
        )
        last: dict[str, Verified] = {}
        for e in entries:
            last[e.local_id] = e
        retracted = sorted({e.local_id for e in entries if e.op == RETRACT})
        purge_copies(conn, partner, retracted)
        batch = [e.prepared for e in last.values() if e.op == UPSERT and e.prepared]
        try:
            write_batch(conn, batch, origin=partner, actor=f"exchange:{partner}", exclusive=True)
        except IdTaken as exc:
            rid = exc.params["id"]
            seq = next(e.seq for e in entries if e.local_id == rid)
            raise FeedRejected(
                "exchange.id_taken", partner=partner, seq=seq, id=rid, origin=exc.params["origin"]
            ) from exc
        done = Cursor(entries[-1].seq, entries[-1].hash)
        db.upsert(
            conn,
            exchange_cursors,
            [{"partner": partner, "seq": done.seq, "head": done.head, "updated_at": ts}],
            ["partner"],
        )
        ups = sum(1 for e in entries if e.op == UPSERT)
        node.audit.append(
            conn,
            f"exchange:{partner}",
            "exchange_received",
            partner,
            {
                "from_seq": entries[0].seq,
                "to_seq": done.seq,
                "upserts": ups,
                "retracts": len(entries) - ups,
                "head": done.head,
            },
        )
        return Applied(len(entries), ups, len(entries) - ups, done)


def purge_copies(conn: Connection, partner: str, ids: Sequence[str]) -> int:
    """Remove received copies (origin = ``partner``) entirely; returns how many existed."""
    if not ids:
        return 0
    db.lock_chain(conn, "records")  # the changes row below must keep commit order
    held: list[tuple[str, int]] = []
    for i in range(0, len(ids), 500):
        held.extend(
            (r[0], r[1])
            for r in conn.execute(
                select(records.c.id, records.c.version).where(
                    records.c.id.in_(ids[i : i + 500]), records.c.origin == partner
                )
            )
        )
    gone = [h[0] for h in held]
    for i in range(0, len(gone), 500):
        chunk = gone[i : i + 500]
        conn.execute(identifiers.delete().where(identifiers.c.record_id.in_(chunk)))
        conn.execute(record_versions.delete().where(record_versions.c.id.in_(chunk)))
        conn.execute(records.delete().where(records.c.id.in_(chunk)))
    db.fts_delete(conn, gone)
    if held:
        conn.execute(changes.insert(), [{"record_id": h[0], "version": h[1] + 1} for h in held])
    return len(held)


def received_count(conn: Connection, partner: str) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(exchange_inbox)
            .where(exchange_inbox.c.partner == partner)
        ).scalar_one()
    )
