"""Nodes of the network: resolved entities, and the one place records map to them.

Invariant: ``entity_ids`` is the only record → entity mapping the network uses: a record
in a resolution cluster belongs to the cluster's entity (its stable cluster id), any
other record is an entity of its own (its record id). Cluster ids (``E…``) and record
ids never collide, so both kinds of node share one id space.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select

from puente.store.tables import records, resolve_clusters

FULL_SCAN = 20_000  # above this many ids one pass over the table beats chunked look-ups


def entity_ids(conn: Connection, record_ids: Sequence[str]) -> dict[str, str]:
    """record id → entity id for every id given (see the module invariant)."""
    out = {r: r for r in record_ids}
    cols = (resolve_clusters.c.record_id, resolve_clusters.c.cluster_id)
    if len(record_ids) > FULL_SCAN:
        for rid, cid in conn.execute(select(*cols)):
            if rid in out:
                out[rid] = cid
        return out
    for i in range(0, len(record_ids), 500):
        chunk = list(record_ids[i : i + 500])
        for rid, cid in conn.execute(select(*cols).where(resolve_clusters.c.record_id.in_(chunk))):
            out[rid] = cid
    return out


def members(conn: Connection, entity: str) -> list[str]:
    """The records of an entity (a cluster's members, or the record itself)."""
    found = conn.execute(
        select(resolve_clusters.c.record_id).where(resolve_clusters.c.cluster_id == entity)
    ).all()
    return sorted(r for (r,) in found) if found else [entity]


@dataclass(frozen=True)
class RecordInfo:
    id: str
    schema: str
    caption: str
    origin: str
    level: int


def record_info(conn: Connection, ids: Sequence[str], max_level: int) -> dict[str, RecordInfo]:
    """What the network shows of each record at or below ``max_level`` (others absent)."""
    cols = (records.c.id, records.c.schema, records.c.caption, records.c.origin, records.c.level)
    out: dict[str, RecordInfo] = {}
    wanted = set(ids)
    if len(wanted) > FULL_SCAN:
        query = select(*cols).where(records.c.level <= max_level)
        for row in conn.execute(query):
            if row[0] in wanted:
                out[row[0]] = RecordInfo(*row)
        return out
    ordered = sorted(wanted)
    for i in range(0, len(ordered), 500):
        query = select(*cols).where(
            records.c.id.in_(ordered[i : i + 500]), records.c.level <= max_level
        )
        out.update({row[0]: RecordInfo(*row) for row in conn.execute(query)})
    return out
