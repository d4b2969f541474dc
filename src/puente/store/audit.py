"""The tamper-evident audit log.

Invariant: entries are numbered 1, 2, 3… without gaps; entry *n* stores the hash of
entry *n-1* (``prev_hash``, 64 zeros for the first) and its own ``hash`` =
HMAC-SHA256(node secret, canonical bytes of seq, time, actor, action, target, detail,
prev_hash). Rows are only ever inserted. Anyone who edits, deletes or reorders rows
without the node secret breaks the chain at that position, and ``verify`` names it.
Appenders serialise through ``db.lock_chain`` so two writers never fork the chain.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from puente.model.canonical import canonical_bytes
from puente.store import db
from puente.store.tables import audit_log

GENESIS = "0" * 64


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class AuditIssue:
    position: int
    seq: int
    problem: str  # altered | removed | reordered

    def to_dict(self) -> dict[str, Any]:
        return {"position": self.position, "seq": self.seq, "problem": self.problem}


class AuditLog:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def _hash(
        self, seq: int, ts: str, actor: str, action: str, target: str, detail: str, prev: str
    ) -> str:
        payload = canonical_bytes([seq, ts, actor, action, target, detail, prev])
        return hmac.new(self._key, payload, hashlib.sha256).hexdigest()

    def append(
        self,
        conn: Connection,
        actor: str,
        action: str,
        target: str = "",
        detail: dict[str, Any] | None = None,
    ) -> int:
        """Append one entry inside the caller's transaction; returns its sequence."""
        db.lock_chain(conn, "audit")
        last = conn.execute(
            select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
        ).first()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        ts = now()
        detail_text = json.dumps(detail or {}, sort_keys=True, ensure_ascii=False)
        digest = self._hash(seq, ts, actor, action, target, detail_text, prev)
        conn.execute(
            audit_log.insert(),
            {
                "seq": seq,
                "ts": ts,
                "actor": actor,
                "action": action,
                "target": target[:2000],
                "detail": detail_text,
                "prev_hash": prev,
                "hash": digest,
            },
        )
        return seq

    def verify(self, conn: Connection) -> tuple[int, list[AuditIssue]]:
        """Walk the chain; return the number of entries and every break found.

        An entry whose HMAC fails is *reordered* when it is genuine but sits at the wrong
        place (its HMAC holds for the position after the entry its ``prev_hash`` names),
        otherwise *altered*. A genuine entry after a gap is preceded by *removed* ones.
        """
        issues: list[AuditIssue] = []
        failed: list[tuple[int, Any]] = []
        expected_prev = GENESIS
        expected_seq = 1
        count = 0
        for position, row in enumerate(self._rows(conn), start=1):
            count += 1
            own = self._hash(
                row.seq, row.ts, row.actor, row.action, row.target, row.detail, row.prev_hash
            )
            if not hmac.compare_digest(own, row.hash):
                failed.append((position, row))
                issues.append(AuditIssue(position, row.seq, "altered"))
            elif row.seq != expected_seq or row.prev_hash != expected_prev:
                kind = "removed" if row.seq > expected_seq else "reordered"
                issues.append(AuditIssue(position, row.seq, kind))
            expected_prev = row.hash
            expected_seq = row.seq + 1
        if failed:
            issues = self._spot_reordering(conn, issues, failed)
        return count, issues

    def _rows(self, conn: Connection) -> Any:
        # options on the statement, not the connection: Connection.execution_options
        # changes the connection itself, and later writes on it would stream too
        return conn.execute(
            select(audit_log).order_by(audit_log.c.seq).execution_options(yield_per=5000)
        )

    def _spot_reordering(
        self, conn: Connection, issues: list[AuditIssue], failed: list[tuple[int, Any]]
    ) -> list[AuditIssue]:
        wanted = {row.prev_hash for _, row in failed}
        seq_of: dict[str, int] = {GENESIS: 0} if GENESIS in wanted else {}
        for row in self._rows(conn):
            if row.hash in wanted:
                seq_of[row.hash] = row.seq
        moved = set()
        for position, row in failed:
            original = seq_of.get(row.prev_hash)
            if original is None:
                continue
            own = self._hash(
                original + 1, row.ts, row.actor, row.action, row.target, row.detail, row.prev_hash
            )
            if hmac.compare_digest(own, row.hash):
                moved.add(position)
        return [
            AuditIssue(i.position, i.seq, "reordered") if i.position in moved else i for i in issues
        ]

    def entries(
        self, conn: Connection, *, limit: int = 100, after: int = 0, action: str | None = None
    ) -> Iterator[dict[str, Any]]:
        query = select(audit_log).where(audit_log.c.seq > after).order_by(audit_log.c.seq)
        if action:
            query = query.where(audit_log.c.action == action)
        for row in conn.execute(query.limit(limit)):
            entry = dict(row._mapping)
            entry["detail"] = json.loads(entry["detail"])
            yield entry
