"""Community ids that stay put across reruns, persisted per scope.

Invariant: within a scope (a clearance level and the filters of the run), each id names
one community at a time. A new community takes the id of the previous community whose
members it holds most of (largest communities choose first; ties go to the smaller id),
so adding an edge or an entity never renames a community that is still there; one that
inherits nothing gets ``C`` + 10 hex digits of sha256 over its sorted members (with a
counter if taken). The scope's rows are replaced in the caller's transaction.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from sqlalchemy import Connection, delete, select

from puente.store import db
from puente.store.audit import now
from puente.store.tables import network_communities


def scope_key(level: int, **filters: object) -> str:
    """A short, stable name for a run's scope: level plus a digest of its filters."""
    text = "|".join(f"{k}={filters[k]!r}" for k in sorted(filters) if filters[k] not in (None, ""))
    return f"L{level}-" + hashlib.sha256(text.encode()).hexdigest()[:16]


def fresh_id(members: Sequence[str]) -> str:
    return "C" + hashlib.sha256("\n".join(sorted(members)).encode("utf-8")).hexdigest()[:10]


def assign(groups: Sequence[Sequence[str]], previous: Mapping[str, str]) -> list[str]:
    """An id for each group (same order), keeping previous ids by largest overlap."""
    claimed: set[str] = set()
    in_use = set(previous.values())
    out = [""] * len(groups)
    order = sorted(range(len(groups)), key=lambda i: (-len(groups[i]), min(groups[i], default="")))
    for i in order:
        overlap = Counter(previous[m] for m in groups[i] if m in previous)
        chosen = next(
            (
                c
                for c, _ in sorted(overlap.items(), key=lambda kv: (-kv[1], kv[0]))
                if c not in claimed
            ),
            None,
        )
        if chosen is None:
            base = fresh_id(groups[i])
            chosen, n = base, 1
            while chosen in in_use or chosen in claimed:
                chosen, n = f"{base}-{n}", n + 1
        claimed.add(chosen)
        out[i] = chosen
    return out


def load(conn: Connection, scope: str) -> dict[str, str]:
    rows = conn.execute(
        select(network_communities.c.entity_id, network_communities.c.community).where(
            network_communities.c.scope == scope
        )
    )
    return {e: c for e, c in rows}


def save(conn: Connection, scope: str, membership: Mapping[str, str]) -> None:
    conn.execute(delete(network_communities).where(network_communities.c.scope == scope))
    ts = now()
    db.insert_rows(
        conn,
        "network_communities",
        ("scope", "entity_id", "community", "updated_at"),
        [(scope, e, c, ts) for e, c in sorted(membership.items())],
    )


def stable_ids(
    conn: Connection, scope: str, ids: Sequence[str], labels: Sequence[int]
) -> dict[str, str]:
    """entity id → stable community id for a partition given as one label per id;
    persisted for the next run of the same scope."""
    groups: dict[int, list[str]] = defaultdict(list)
    for eid, label in zip(ids, labels, strict=True):
        groups[label].append(eid)
    parts = [sorted(g) for _, g in sorted(groups.items())]
    names = assign(parts, load(conn, scope))
    membership = {m: name for part, name in zip(parts, names, strict=True) for m in part}
    save(conn, scope, membership)
    return membership
