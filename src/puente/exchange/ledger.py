"""The exchange ledger and its reconciliation with a partner.

Each node keeps both halves: what it sent (``exchange_outbox``, one chain per partner)
and what it received and applied (``exchange_inbox``, the partner's chain as verified).
Because every entry names the hash of the one before, the hash at position *n* is a
running hash of the first *n* entries: two ledgers agree up to *n* exactly when their
hashes at *n* agree.

``reconcile`` compares, per direction, the counts and the running hash at the shorter
side's position; a side that is behind is *pending*, not divergent. It also re-checks
this node's own ledger rows (contiguous seqs, each ``prev`` = the previous ``hash``,
sent bodies hashing to their stored hash), so a locally edited or deleted row shows.
Invariant: reconciliation only reads the ledgers; it writes one audit entry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select

from puente.exchange.entry import GENESIS
from puente.store.tables import exchange_feeds, exchange_inbox, exchange_outbox


@dataclass(frozen=True)
class Summary:
    """One node's ledger with one partner."""

    partner: str
    sent: int
    sent_head: str
    sent_acked: int
    sent_hash_at: str | None  # running hash of the sent chain at the asked position
    received: int
    received_head: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _hash_at(conn: Connection, table: Any, partner: str, seq: int) -> str | None:
    if seq == 0:
        return GENESIS
    return conn.execute(
        select(table.c.hash).where(table.c.partner == partner, table.c.seq == seq)
    ).scalar()


def _count_head(conn: Connection, table: Any, partner: str) -> tuple[int, str]:
    n = conn.execute(select(func.max(table.c.seq)).where(table.c.partner == partner)).scalar()
    n = int(n or 0)
    return n, _hash_at(conn, table, partner, n) or GENESIS


def summary(conn: Connection, partner: str, *, sent_at: int = 0) -> Summary:
    sent, sent_head = _count_head(conn, exchange_outbox, partner)
    received, received_head = _count_head(conn, exchange_inbox, partner)
    acked = conn.execute(
        select(exchange_feeds.c.acked).where(exchange_feeds.c.partner == partner)
    ).scalar()
    return Summary(
        partner=partner,
        sent=sent,
        sent_head=sent_head,
        sent_acked=int(acked or 0),
        sent_hash_at=_hash_at(conn, exchange_outbox, partner, sent_at),
        received=received,
        received_head=received_head,
    )


def check_chain(conn: Connection, partner: str, *, sent: bool) -> int | None:
    """The first seq where this node's own ledger rows are not one intact chain."""
    table = exchange_outbox if sent else exchange_inbox
    cols = [table.c.seq, table.c.hash]
    cols.append(table.c.body if sent else table.c.prev_hash)
    rows = conn.execute(
        select(*cols)
        .where(table.c.partner == partner)
        .order_by(table.c.seq)
        .execution_options(yield_per=5000)
    )
    expected, prev = 1, GENESIS
    for seq, digest, extra in rows:
        if sent:
            raw = extra.encode()
            if hashlib.sha256(raw).hexdigest() != digest:
                return int(seq)
            extra = json.loads(raw).get("prev")
        if seq != expected or extra != prev:
            return int(seq) if seq == expected else expected
        expected, prev = seq + 1, digest
    return None


@dataclass
class Reconciliation:
    partner: str
    local: Summary
    remote: dict[str, Any]
    divergences: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    pending_in: int = 0
    pending_out: int = 0

    @property
    def ok(self) -> bool:
        return not self.divergences

    def to_dict(self) -> dict[str, Any]:
        return {
            "partner": self.partner,
            "ok": self.ok,
            "local": self.local.to_dict(),
            "remote": self.remote,
            "pending_in": self.pending_in,
            "pending_out": self.pending_out,
            "divergences": [{"key": k, "params": p} for k, p in self.divergences],
        }


def compare(
    conn: Connection, partner: str, local: Summary, remote: dict[str, Any]
) -> Reconciliation:
    """Compare this node's ledger with the partner's answer (``serve.ledger_view``,
    asked with ``sent_at`` = our received count)."""
    rec = Reconciliation(partner, local, remote)
    div = rec.divergences
    # Inbound: what the partner says it sent us against what we applied.
    their_sent = int(remote.get("sent", 0))
    if local.received > their_sent:
        div.append(
            ("exchange.ledger_ahead", {"side": "in", "ours": local.received, "theirs": their_sent})
        )
    elif remote.get("sent_hash_at") != local.received_head:
        div.append(("exchange.ledger_mismatch", {"side": "in", "seq": local.received}))
    rec.pending_in = max(0, their_sent - local.received)
    # Outbound: what the partner says it received from us against what we sent.
    their_received = int(remote.get("received", 0))
    if their_received > local.sent:
        div.append(
            ("exchange.ledger_ahead", {"side": "out", "ours": local.sent, "theirs": their_received})
        )
    elif _hash_at(conn, exchange_outbox, partner, their_received) != remote.get("received_head"):
        div.append(("exchange.ledger_mismatch", {"side": "out", "seq": their_received}))
    rec.pending_out = max(0, local.sent - their_received)
    for sent in (True, False):
        bad = check_chain(conn, partner, sent=sent)
        if bad is not None:
            div.append(("exchange.ledger_corrupt", {"side": "out" if sent else "in", "seq": bad}))
    return rec
