"""Outbound feeds: one signed, hash-chained feed per partner, built from the change feed.

The builder follows ``changes.seq`` with a cursor per partner (``exchange_feeds``) —
it never hooks into the store's write path. For each changed record it looks at the
record's *current* state and decides, against what the partner already holds
(``exchange_released``):

- releasable and its released view differs from what the partner holds → ``upsert``;
- not releasable (markings changed, record gone) but the partner holds it → ``retract``;
- otherwise → nothing.

Invariant: outbox entries, the released set and the builder cursor are written in one
transaction, so a crash leaves the feed either before or after a whole chunk, and the
chain (seq 1, 2, 3… with ``prev`` = hash of the previous entry) never forks: builders
for a partner serialise through ``db.lock_chain``. The outbox is the sent ledger:
rows are only ever inserted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, func, select

from puente.crypto import load_private
from puente.exchange.entry import (
    GENESIS,
    RETRACT,
    UPSERT,
    SignedEntry,
    Signer,
    make_entry,
    may_release,
    released_stored,
)
from puente.model.canonical import canonical_fast
from puente.model.markings import Markings
from puente.node import Node
from puente.store import db
from puente.store.audit import now
from puente.store.tables import (
    changes,
    exchange_feeds,
    exchange_outbox,
    exchange_released,
    records,
)
from puente.workers import gc_relaxed

CHUNK = 5000


@dataclass(frozen=True)
class FeedState:
    partner: str
    change_seq: int
    seq: int
    head: str
    acked: int


def feed_state(conn: Connection, partner: str) -> FeedState:
    row = conn.execute(select(exchange_feeds).where(exchange_feeds.c.partner == partner)).first()
    if row is None:
        return FeedState(partner, 0, 0, GENESIS, 0)
    return FeedState(partner, row.change_seq, row.seq, row.head, row.acked)


def _save_state(conn: Connection, state: FeedState) -> None:
    db.upsert(
        conn,
        exchange_feeds,
        [
            {
                "partner": state.partner,
                "change_seq": state.change_seq,
                "seq": state.seq,
                "head": state.head,
                "acked": state.acked,
                "updated_at": now(),
            }
        ],
        ["partner"],
    )


def extend(node: Node, partner: str, *, until_seq: int | None = None) -> int:
    """Bring ``partner``'s feed up to date with the change feed (or stop once it holds
    ``until_seq`` entries). Returns the number of entries added."""
    if until_seq is not None:
        # A feed only grows: if it already holds ``until_seq`` entries, a read says so
        # without queuing for the write lock behind the background builder.
        with node.read() as conn:
            if feed_state(conn, partner).seq >= until_seq:
                return 0
    key = Signer(load_private(node.settings.key_path))
    added = 0
    with gc_relaxed():
        while True:
            with node.write() as conn:
                db.lock_chain(conn, f"exchange_feed:{partner}")
                state = feed_state(conn, partner)
                if until_seq is not None and state.seq >= until_seq:
                    return added
                batch, state = _build_chunk(conn, key, node.country, state)
                if batch is None:
                    return added
                added += batch
                _save_state(conn, state)


def _build_chunk(
    conn: Connection, key: Signer, country: str, state: FeedState
) -> tuple[int | None, FeedState]:
    rows = conn.execute(
        select(
            changes.c.seq,
            changes.c.record_id,
            records.c.schema,
            records.c.properties,
            records.c.markings,
            records.c.origin,
        )
        .select_from(changes.outerjoin(records, records.c.id == changes.c.record_id))
        .where(changes.c.seq > state.change_seq)
        .order_by(changes.c.seq)
        .limit(CHUNK)
    ).all()
    if not rows:
        return None, state
    partner = state.partner
    current: dict[str, Any] = {}
    for row in rows:
        current[row.record_id] = row  # same current state for every change of a record
    ids = list(current)
    held: dict[str, str] = {
        rid: digest
        for rid, digest in db.select_in(
            conn,
            exchange_released,
            ("record_id", "hash"),
            "record_id",
            ids,
            where={"partner": partner},
        )
    }
    seq, head, at = state.seq, state.head, now()
    parsed: dict[str, tuple[Markings, bytes]] = {}  # records share a few markings
    entries: list[SignedEntry] = []
    first_held: list[tuple[str, str, str]] = []  # not held before: plain inserts
    re_held: list[dict[str, Any]] = []  # held with another hash: replaced
    gone: list[str] = []
    for rid in ids:
        row = current[rid]
        released = None
        if row.schema is not None:
            known = parsed.get(row.markings)
            if known is None:
                marks = orjson.loads(row.markings)
                markings = Markings.parse(marks, originator=marks["originator"])
                known = parsed[row.markings] = (markings, canonical_fast(markings.to_dict()))
            if may_release(known[0], row.origin, country, partner):
                released = released_stored(rid, row.schema, row.properties, *known)
        record = None
        if released is not None:
            record, digest = released
            before = held.get(rid)
            if before == digest:
                continue
            op = UPSERT
            if before is None:
                first_held.append((partner, rid, digest))
            else:
                re_held.append({"partner": partner, "record_id": rid, "hash": digest})
        elif rid in held:
            op = RETRACT
            gone.append(rid)
        else:
            continue
        seq += 1
        entry = make_entry(
            key,
            sender=country,
            partner=partner,
            seq=seq,
            op=op,
            record_id=rid,
            prev=head,
            at=at,
            record_bytes=record,
        )
        head = entry.hash
        entries.append(entry)
    db.insert_rows(
        conn,
        "exchange_outbox",
        ("partner", "seq", "op", "record_id", "body", "hash", "signature", "created_at"),
        [(partner, e.seq, e.op, e.record_id, e.body, e.hash, e.signature, at) for e in entries],
    )
    # The chain lock is held: nobody else adds to this partner's released set meanwhile.
    db.insert_rows(conn, "exchange_released", ("partner", "record_id", "hash"), first_held)
    db.upsert(conn, exchange_released, re_held, ["partner", "record_id"])
    for i in range(0, len(gone), 500):
        conn.execute(
            exchange_released.delete().where(
                exchange_released.c.partner == partner,
                exchange_released.c.record_id.in_(gone[i : i + 500]),
            )
        )
    new_state = FeedState(partner, rows[-1].seq, seq, head, state.acked)
    return len(entries), new_state


def page(conn: Connection, partner: str, after: int, limit: int) -> tuple[list[str], int]:
    """Wire lines of entries ``after+1 …`` (at most ``limit``) and the feed's head seq."""
    lines = [
        f"{sig} {body}"
        for sig, body in conn.execute(
            select(exchange_outbox.c.signature, exchange_outbox.c.body)
            .where(exchange_outbox.c.partner == partner, exchange_outbox.c.seq > after)
            .order_by(exchange_outbox.c.seq)
            .limit(limit)
        )
    ]
    head = conn.execute(
        select(func.max(exchange_outbox.c.seq)).where(exchange_outbox.c.partner == partner)
    ).scalar()
    return lines, int(head or 0)


def backlog(conn: Connection, partner: str) -> int:
    """Changes the builder has not looked at yet for ``partner`` (an upper bound on the
    entries still to come beyond the feed's head)."""
    newest = conn.execute(select(func.max(changes.c.seq))).scalar()
    return max(0, int(newest or 0) - feed_state(conn, partner).change_seq)


def acknowledge(conn: Connection, partner: str, applied: int) -> None:
    """Record how far the partner says it has applied (what it asks ``after``)."""
    conn.execute(
        exchange_feeds.update()
        .where(exchange_feeds.c.partner == partner, exchange_feeds.c.acked < applied)
        .values(acked=applied)
    )
