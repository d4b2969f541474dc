"""Incremental resolution: each new, changed or removed record against existing clusters.

Invariant: after ``resolve_changes`` the group's state covers every change up to the
stored cursor, exactly as the batch run would store it for those records (same blocking
keys, same model through ``explain.Scorer``; of a record's candidates the
``MAX_CANDIDATES`` sharing the most keys are scored, which bounds latency); only the
clusters a change touches are re-clustered (its old cluster and the clusters of its
linked candidates), with the same rules and id inheritance as a full run
(``clusters``). Each batch of changes and the cursor that covers it are written in one
transaction.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from puente.node import Node
from puente.resolve import decisions, state
from puente.resolve.clusters import assign_ids, cluster, fresh_id, ordered
from puente.resolve.explain import Scorer, probability
from puente.resolve.features import GROUPS, extract, group_of
from puente.resolve.pipeline import THRESHOLDS, Thresholds

MAX_CANDIDATES = 100  # scored per record: those sharing the most blocking keys


@dataclass
class IncrementalReport:
    group: str
    changes: int = 0
    resolved: int = 0
    removed: int = 0
    cursor: int = 0
    latencies_ms: list[float] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)
        p50 = lat[len(lat) // 2] if lat else 0.0
        return {
            "group": self.group,
            "changes": self.changes,
            "resolved": self.resolved,
            "removed": self.removed,
            "cursor": self.cursor,
            "p50_ms": round(p50, 3),
        }


def recluster(
    conn: Connection, group: str, record_ids: Iterable[str], thresholds: Thresholds = THRESHOLDS
) -> dict[str, str]:
    """Re-cluster the clusters holding ``record_ids`` (and those records); returns the
    new record → cluster mapping it wrote."""
    seeds = sorted(set(record_ids))
    before = state.clusters_of(conn, seeds)
    previous: dict[str, str] = {}
    for cid, ms in state.members(conn, sorted(set(before.values()))).items():
        previous.update(dict.fromkeys(ms, cid))
    pool = set(seeds) | set(previous)
    ids = sorted(pool)
    edges = [(a, b, w) for a, b, w in state.pairs_touching(conn, ids) if a in pool and b in pool]
    same, not_same = decisions.split(decisions.in_force(conn, ids))
    comps = cluster(ids, edges, thresholds.weight(thresholds.link), same, not_same)
    mapping = assign_ids(comps, previous)
    changed = {r: c for r, c in mapping.items() if previous.get(r) != c}
    state.write_clusters(conn, group, changed)
    return mapping


def resolve_record(
    conn: Connection,
    scorer: Scorer,
    group: str,
    rid: str,
    current: tuple[str, int, dict[str, Any]] | None,
    thresholds: Thresholds = THRESHOLDS,
) -> bool:
    """Bring one record's resolution state up to date; False if it left the group."""
    if current is None or group_of(current[0]) != group:
        old = state.clusters_of(conn, [rid])
        state.drop_record(conn, rid)
        if old:
            recluster(conn, group, state.members(conn, list(old.values())).get(old[rid], []))
        return False
    _, version, props = current
    row = extract(group, props)
    keys = sorted(set(scorer.profile.block_keys(row)))
    found = [c for c in state.candidates(conn, group, keys, limit=MAX_CANDIDATES + 1) if c != rid]
    found = found[:MAX_CANDIDATES]
    feats = state.features_of(conn, found)
    keep = thresholds.weight(thresholds.keep)
    link = thresholds.weight(thresholds.link)
    pairs: list[state.PairRow] = []
    linked = [rid]
    for other_id in found:
        other = feats.get(other_id)
        if other is None:
            continue
        weight = scorer.score(row, other)
        if weight < keep:
            continue
        left, right = ordered(rid, other_id)
        lrow, rrow = (row, other) if left == rid else (other, row)
        expl = scorer.explain(left, lrow, right, rrow)
        fields = "{" + ",".join(f'"{f.field}":{round(f.weight, 4)}' for f in expl.fields) + "}"
        pairs.append((left, right, weight, probability(weight), fields))
        if weight >= link:
            linked.append(other_id)
    before = state.clusters_of(conn, [rid])
    state.put_record(conn, group, rid, version, row, keys, pairs)
    if not before and len(linked) == 1 and not decisions.in_force(conn, [rid]):
        # a new record linked to nothing: its own cluster, nothing else changes
        cid = fresh_id([rid])
        if state.cluster_in_use(conn, cid):
            cid = assign_ids([[rid]], {}, taken=[cid])[rid]
        state.write_clusters(conn, group, {rid: cid})
        return True
    recluster(conn, group, linked)
    return True


def resolve_changes(
    node: Node,
    group: str,
    *,
    batch: int = 500,
    thresholds: Thresholds = THRESHOLDS,
    limit: int | None = None,
) -> IncrementalReport:
    """Follow the change feed from the group's cursor; needs a trained model."""
    from puente.errors import NotFound

    with node.read() as conn:
        loaded = state.load_model(conn, group)
    if loaded is None:
        raise NotFound("resolve.no_model", group=group)
    trained, cursor = loaded
    scorer = Scorer(trained)
    report = IncrementalReport(group, cursor=cursor)
    while limit is None or report.changes < limit:
        with node.write() as conn:
            todo = state.changed_since(conn, cursor, batch)
            if not todo:
                break
            ids = list(dict.fromkeys(r for _, r in todo))
            now_ = state.current(conn, ids)
            for rid in ids:
                cur = now_.get(rid)
                in_group = cur is not None and cur[0] in GROUPS[group]
                if not in_group and not state.clusters_of(conn, [rid]):
                    continue
                t0 = time.perf_counter()
                if resolve_record(conn, scorer, group, rid, cur, thresholds):
                    report.resolved += 1
                else:
                    report.removed += 1
                report.latencies_ms.append((time.perf_counter() - t0) * 1000)
            cursor = todo[-1][0]
            report.changes += len(todo)
            state.set_cursor(conn, group, cursor)
    report.cursor = cursor
    return report
