"""Build the ``NetworkGraph`` a clearance level may see, from the derived tables.

Invariant (clearance): an edge is in the graph only when the record that makes it and
the records at both of its ends are at or below ``max_level`` — filtered in SQL, so
nothing above it is ever read; an entity appears with the captions, schemata and
origins of its visible records only. Shared-attribute edges need every record involved
(the holders' and the attribute's) at or below the level.

Graphs are cached per database, level and state of the inputs (derived-table cursor,
resolution clusters and decisions): a new record or a new resolution gives a new graph.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Iterator

from sqlalchemy import Connection, func, select

from puente.network.derive import cursor
from puente.network.entities import RecordInfo, entity_ids, record_info
from puente.network.graph import Entity, NetworkGraph, from_rows
from puente.network.relations import relations
from puente.store.tables import (
    network_attrs,
    network_edges,
    records,
    resolve_clusters,
    resolve_decisions,
    resolve_models,
)

Row = tuple[str, str, str, bool, float, str | None, str, int]
_CACHE: OrderedDict[tuple[object, ...], NetworkGraph] = OrderedDict()
CACHE_SIZE = 4


def fingerprint(conn: Connection) -> tuple[object, ...]:
    """Changes whenever an input of the graph may have changed."""
    models = tuple(
        conn.execute(
            select(
                resolve_models.c.grp, resolve_models.c.cursor, resolve_models.c.trained_at
            ).order_by(resolve_models.c.grp)
        ).all()
    )
    decided = conn.execute(select(func.max(resolve_decisions.c.id))).scalar_one()
    clustered = conn.execute(select(func.count()).select_from(resolve_clusters)).scalar_one()
    return (cursor(conn), models, decided, clustered)


def _edge_rows(
    conn: Connection, max_level: int
) -> Iterator[tuple[str, str, str, bool, float, str | None, str, int]]:
    e = network_edges
    s, t = records.alias("s"), records.alias("t")
    query = (
        select(
            e.c.source,
            e.c.target,
            e.c.kind,
            e.c.directed,
            e.c.weight,
            e.c.date,
            e.c.record_id,
            e.c.level,
        )
        .join(s, s.c.id == e.c.source)
        .join(t, t.c.id == e.c.target)
        .where(e.c.level <= max_level, s.c.level <= max_level, t.c.level <= max_level)
    )
    for row in conn.execute(query):
        yield (row[0], row[1], row[2], bool(row[3]), float(row[4]), row[5], row[6], int(row[7]))


def _attr_groups(
    conn: Connection, max_level: int
) -> dict[tuple[str, str], list[tuple[str, str, int]]]:
    """(kind, value) → [(holder ref, record, level)] for values held by two refs or more."""
    a = network_attrs
    h = records.alias("h")
    shared = (
        select(a.c.kind, a.c.value)
        .where(a.c.level <= max_level)
        .group_by(a.c.kind, a.c.value)
        .having(func.count() > 1)
        .subquery()
    )
    query = (
        select(a.c.kind, a.c.value, a.c.entity_ref, a.c.record_id, a.c.level)
        .join(shared, (shared.c.kind == a.c.kind) & (shared.c.value == a.c.value))
        .join(h, h.c.id == a.c.entity_ref)
        .where(a.c.level <= max_level, h.c.level <= max_level)
    )
    groups: dict[tuple[str, str], list[tuple[str, str, int]]] = defaultdict(list)
    for kind, value, ref, rid, level in conn.execute(query):
        groups[(kind, value)].append((ref, rid, int(level)))
    return groups


def build_graph(conn: Connection, max_level: int, *, use_cache: bool = True) -> NetworkGraph:
    key = (str(conn.engine.url), max_level, fingerprint(conn))
    if use_cache and key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    graph = _build(conn, max_level)
    _CACHE[key] = graph
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return graph


def _build(conn: Connection, max_level: int) -> NetworkGraph:
    rows: list[Row] = list(_edge_rows(conn, max_level))
    groups = _attr_groups(conn, max_level)
    refs = {r for row in rows for r in (row[0], row[1])}
    refs |= {ref for held in groups.values() for ref, _, _ in held}
    emap = entity_ids(conn, sorted(refs))
    info = record_info(conn, sorted(refs), max_level)
    kinds, caps = relations().edge_kinds(), relations().max_holders()
    out: list[Row] = [(emap[s], emap[t], k, d, w, day, p, lv) for s, t, k, d, w, day, p, lv in rows]
    for (kind, _value), held in groups.items():
        by_entity: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for ref, rid, level in held:
            by_entity[emap[ref]].append((rid, max(level, info[ref].level)))
        if not 2 <= len(by_entity) <= caps.get(kind, 6):
            continue
        ents = sorted(by_entity)
        for i, x in enumerate(ents):
            for y in ents[i + 1 :]:
                prov = sorted({r for r, _ in by_entity[x] + by_entity[y]})
                level = max(lv for _, lv in by_entity[x] + by_entity[y])
                out.append((x, y, kinds.get(kind, kind), False, 1.0, None, ",".join(prov), level))
    used = {x for row in out for x in (row[0], row[1])}
    return from_rows(_entities({r: e for r, e in emap.items() if e in used}, info), out)


def _entities(emap: dict[str, str], info: dict[str, RecordInfo]) -> list[Entity]:
    members: dict[str, list[RecordInfo]] = defaultdict(list)
    for rid, eid in emap.items():
        if rid in info:
            members[eid].append(info[rid])
    out = []
    for eid in sorted(members):
        recs = sorted(members[eid], key=lambda r: r.id)
        schemata = [r.schema for r in recs]
        out.append(
            Entity(
                eid,
                max(set(schemata), key=lambda s: (schemata.count(s), s)),
                next((r.caption for r in recs if r.caption), eid),
                tuple(sorted({r.origin for r in recs})),
                max(r.level for r in recs),
                tuple(r.id for r in recs),
            )
        )
    return out
