"""Reading and writing resolution state in the node store (``resolve_*`` tables).

Invariant: features, keys, pairs and clusters are derived state. A full run replaces a
group's rows in one transaction; incremental resolution replaces one record's rows and
the clusters of its neighbourhood in one transaction with the cursor on ``changes.seq``
that covers them, so a crash re-does work and never leaves half of it. Pairs are stored
once, ``left_id < right_id``.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, delete, func, or_, select

from puente.resolve.features import GROUPS, Row
from puente.resolve.model import KEY_CAP, Trained
from puente.store import db
from puente.store.audit import now
from puente.store.tables import (
    changes,
    records,
    resolve_clusters,
    resolve_features,
    resolve_keys,
    resolve_models,
    resolve_pairs,
)

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
PairRow = tuple[str, str, float, float, str]  # left, right, weight, probability, fields JSON


def group_batches(conn: Connection, group: str, size: int) -> Iterator[list[tuple[str, int, str]]]:
    """The group's records as stored, ``(id, version, properties JSON)``, in batches."""
    query = select(records.c.id, records.c.version, records.c.properties).where(
        records.c.schema.in_(GROUPS[group])
    )
    # options on the statement: Connection.execution_options would change the caller's
    # connection for every later statement (writes included)
    result = conn.execute(query.execution_options(yield_per=size))
    for part in result.partitions(size):
        yield [(rid, int(version), props) for rid, version, props in part]


def group_clusters(conn: Connection, group: str) -> Iterator[tuple[str, str]]:
    """(record id, cluster id) of the group's resolved records."""
    query = select(resolve_clusters.c.record_id, resolve_clusters.c.cluster_id).where(
        resolve_clusters.c.grp == group
    )
    for rid, cid in conn.execute(query.execution_options(yield_per=20_000)):
        yield str(rid), str(cid)


def max_seq(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(changes.c.seq), 0))).scalar_one())


def changed_since(conn: Connection, cursor: int, limit: int) -> list[tuple[int, str]]:
    query = select(changes.c.seq, changes.c.record_id).where(changes.c.seq > cursor)
    return [(int(s), r) for s, r in conn.execute(query.order_by(changes.c.seq).limit(limit))]


def current(conn: Connection, ids: Sequence[str]) -> dict[str, tuple[str, int, dict[str, Any]]]:
    """record id → (schema, version, properties) for the ids that still exist."""
    out: dict[str, tuple[str, int, dict[str, Any]]] = {}
    cols = (records.c.id, records.c.schema, records.c.version, records.c.properties)
    for i in range(0, len(ids), 500):
        for rid, schema, version, props in conn.execute(
            select(*cols).where(records.c.id.in_(ids[i : i + 500]))
        ):
            out[rid] = (schema, version, json.loads(props))
    return out


def load_model(conn: Connection, group: str) -> tuple[Trained, int] | None:
    row = conn.execute(
        select(resolve_models.c.model, resolve_models.c.cursor).where(resolve_models.c.grp == group)
    ).first()
    if row is None:
        return None
    return Trained.from_json(json.loads(row[0])), int(row[1])


def save_model(conn: Connection, trained: Trained, cursor: int) -> None:
    db.upsert(
        conn,
        resolve_models,
        [
            {
                "grp": trained.group,
                "model": _dumps(trained.to_json()),
                "records": trained.records,
                "cursor": cursor,
                "trained_at": now(),
            }
        ],
        ["grp"],
    )


def set_cursor(conn: Connection, group: str, cursor: int) -> None:
    conn.execute(resolve_models.update().where(resolve_models.c.grp == group).values(cursor=cursor))


def replace_group(
    conn: Connection,
    group: str,
    features: Iterable[Sequence[tuple[str, int, str]]],
    keys: Iterable[Sequence[tuple[str, str]]],
    pairs: Iterable[Sequence[PairRow]],
    clusters: Iterable[Sequence[tuple[str, str]]],
    *,
    bulk: bool = False,
) -> None:
    """Replace the group's derived rows with the given batches: ``(id, version, features
    JSON)``, ``(key, id)``, pairs and ``(id, cluster id)``. ``bulk`` (millions of rows)
    drops the tables' secondary indexes first and builds them again at the end, in the
    same transaction: maintaining them row by row costs ~20 µs a key row on SQLite,
    ten times the insert itself (rows arrive in primary-key order, so those stay)."""
    tables = (resolve_features, resolve_keys, resolve_pairs, resolve_clusters)
    rebuilt = [ix for t in tables for ix in sorted(t.indexes, key=lambda i: str(i.name))]
    if bulk:
        for ix in rebuilt:
            ix.drop(conn)
    for table in tables:
        conn.execute(delete(table).where(table.c.grp == group))
    for fbatch in features:
        db.insert_rows(
            conn,
            "resolve_features",
            ("record_id", "grp", "version", "features"),
            [(i, group, v, f) for i, v, f in fbatch],
        )
    for kbatch in keys:
        db.insert_rows(
            conn, "resolve_keys", ("grp", "key", "record_id"), [(group, k, i) for k, i in kbatch]
        )
    ts = now()
    for pbatch in pairs:
        db.insert_rows(
            conn,
            "resolve_pairs",
            ("left_id", "right_id", "grp", "weight", "probability", "fields", "scored_at"),
            [(a, b, group, w, p, f, ts) for a, b, w, p, f in pbatch],
        )
    for cbatch in clusters:
        db.insert_rows(
            conn,
            "resolve_clusters",
            ("record_id", "cluster_id", "grp"),
            [(r, c, group) for r, c in cbatch],
        )
    if bulk:
        for ix in rebuilt:
            ix.create(conn)


def drop_record(conn: Connection, rid: str, keep_cluster: bool = False) -> None:
    tables = [resolve_features, resolve_keys] + ([] if keep_cluster else [resolve_clusters])
    for table in tables:
        conn.execute(delete(table).where(table.c.record_id == rid))
    conn.execute(
        delete(resolve_pairs).where(
            or_(resolve_pairs.c.left_id == rid, resolve_pairs.c.right_id == rid)
        )
    )


def put_record(
    conn: Connection,
    group: str,
    rid: str,
    version: int,
    row: Row,
    keys: Sequence[str],
    pairs: Sequence[PairRow],
) -> None:
    """Replace one record's features, keys and pairs (its cluster is written apart)."""
    drop_record(conn, rid, keep_cluster=True)
    db.insert_rows(
        conn,
        "resolve_features",
        ("record_id", "grp", "version", "features"),
        [(rid, group, version, _dumps(row))],
    )
    db.insert_rows(
        conn, "resolve_keys", ("grp", "key", "record_id"), [(group, k, rid) for k in keys]
    )
    ts = now()
    db.insert_rows(
        conn,
        "resolve_pairs",
        ("left_id", "right_id", "grp", "weight", "probability", "fields", "scored_at"),
        [(a, b, group, w, p, f, ts) for a, b, w, p, f in pairs],
    )


def candidates(
    conn: Connection, group: str, keys: Sequence[str], cap: int = KEY_CAP, limit: int = 0
) -> list[str]:
    """Records sharing a key (keys shared by more than ``cap`` records are ignored), most
    shared keys first; at most ``limit`` of them when ``limit`` is set."""
    if not keys:
        return []
    by_key: dict[str, list[str]] = defaultdict(list)
    query = select(resolve_keys.c.key, resolve_keys.c.record_id).where(
        resolve_keys.c.grp == group, resolve_keys.c.key.in_(list(keys))
    )
    for key, rid in conn.execute(query):
        by_key[key].append(rid)
    shared = Counter(r for rs in by_key.values() if len(rs) <= cap for r in rs)
    ranked = sorted(shared, key=lambda r: (-shared[r], r))
    return ranked[:limit] if limit else ranked


def features_of(conn: Connection, ids: Sequence[str]) -> dict[str, Row]:
    out: dict[str, Row] = {}
    for i in range(0, len(ids), 500):
        query = select(resolve_features.c.record_id, resolve_features.c.features).where(
            resolve_features.c.record_id.in_(ids[i : i + 500])
        )
        for rid, data in conn.execute(query):
            out[rid] = json.loads(data)
    return out


def pairs_touching(conn: Connection, ids: Sequence[str]) -> list[tuple[str, str, float]]:
    out: dict[tuple[str, str], float] = {}
    cols = (resolve_pairs.c.left_id, resolve_pairs.c.right_id, resolve_pairs.c.weight)
    for i in range(0, len(ids), 400):
        chunk = ids[i : i + 400]
        where = or_(resolve_pairs.c.left_id.in_(chunk), resolve_pairs.c.right_id.in_(chunk))
        for a, b, w in conn.execute(select(*cols).where(where)):
            out[(a, b)] = float(w)
    return [(a, b, w) for (a, b), w in out.items()]


def pair(conn: Connection, a: str, b: str) -> dict[str, Any] | None:
    left, right = (a, b) if a < b else (b, a)
    row = conn.execute(
        select(resolve_pairs).where(
            resolve_pairs.c.left_id == left, resolve_pairs.c.right_id == right
        )
    ).first()
    if row is None:
        return None
    item = dict(row._mapping)
    item["fields"] = json.loads(item["fields"])
    return item


def clusters_of(conn: Connection, ids: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    cols = (resolve_clusters.c.record_id, resolve_clusters.c.cluster_id)
    for i in range(0, len(ids), 500):
        for rid, cid in conn.execute(
            select(*cols).where(resolve_clusters.c.record_id.in_(ids[i : i + 500]))
        ):
            out[rid] = cid
    return out


def members(conn: Connection, cluster_ids: Sequence[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    cols = (resolve_clusters.c.cluster_id, resolve_clusters.c.record_id)
    for i in range(0, len(cluster_ids), 500):
        chunk = cluster_ids[i : i + 500]
        for cid, rid in conn.execute(select(*cols).where(resolve_clusters.c.cluster_id.in_(chunk))):
            out[cid].append(rid)
    return {c: sorted(m) for c, m in out.items()}


def cluster_in_use(conn: Connection, cluster_id: str) -> bool:
    query = select(resolve_clusters.c.record_id).where(resolve_clusters.c.cluster_id == cluster_id)
    return conn.execute(query.limit(1)).first() is not None


def write_clusters(conn: Connection, group: str, mapping: Mapping[str, str]) -> None:
    db.upsert(
        conn,
        resolve_clusters,
        [{"record_id": r, "cluster_id": c, "grp": group} for r, c in mapping.items()],
        ["record_id"],
    )
