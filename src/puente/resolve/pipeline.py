"""A full resolution run of one group: records → features → Splink → pairs → clusters.

Invariant: a run reads the node at one change-feed position (``cursor``), and writes
features, keys, pairs, clusters and the trained model of the group, with that cursor,
in one transaction with its audit entry — readers see the previous run or this one,
never a mix. Changes after the cursor are left to incremental resolution. Cluster ids
follow ``clusters.assign_ids`` so a re-run keeps the entities analysts know.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from puente.node import Node
from puente.resolve import decisions, state
from puente.resolve.clusters import assign_ids, cluster, ordered
from puente.resolve.features import extract
from puente.resolve.model import Trained, key_table, run
from puente.resolve.profiles import PROFILES
from puente.store.tables import resolve_clusters


@dataclass(frozen=True)
class Thresholds:
    """Match probabilities: pairs at or above ``link`` are merged; pairs in
    [``review_low``, ``review_high``) go to the review queue; pairs below ``keep`` are
    not stored."""

    link: float = 0.5
    review_low: float = 0.2
    review_high: float = 0.9
    keep: float = 0.01

    @staticmethod
    def weight(p: float) -> float:
        return math.log2(p / (1.0 - p))


THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class RunReport:
    group: str
    records: int
    pairs: int
    clusters: int
    merged: int  # clusters with more than one record
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def pair_rows(profile_names: Sequence[str], pred: pd.DataFrame) -> list[state.PairRow]:
    """Scored pairs as stored: ordered ids, weight, probability, per-field weights."""
    if pred.empty:
        return []
    per_field: list[list[float]] = []
    for name in profile_names:
        col = pred[f"mw_{name}"].fillna(0.0)
        adj = f"mw_tf_adj_{name}"
        if adj in pred.columns:
            col = col + pred[adj].fillna(0.0)
        per_field.append(col.round(4).tolist())
    out: list[state.PairRow] = []
    lefts, rights = pred["unique_id_l"].tolist(), pred["unique_id_r"].tolist()
    weights, probs = pred["match_weight"].tolist(), pred["match_probability"].tolist()
    for i, (a, b) in enumerate(zip(lefts, rights, strict=True)):
        left, right = ordered(str(a), str(b))
        fields = ",".join(f'"{n}":{per_field[j][i]}' for j, n in enumerate(profile_names))
        out.append((left, right, float(weights[i]), float(probs[i]), "{" + fields + "}"))
    return out


def resolve_group(
    node: Node, group: str, actor: str, thresholds: Thresholds = THRESHOLDS
) -> RunReport:
    started = time.perf_counter()
    profile = PROFILES[group]
    with node.read() as conn:
        cursor = state.max_seq(conn)
        ids: list[str] = []
        versions: list[int] = []
        rows = []
        for rid, version, props in state.group_records(conn, group):
            ids.append(rid)
            versions.append(version)
            rows.append(extract(group, props))
        previous = dict(
            conn.execute(
                resolve_clusters.select()
                .with_only_columns(resolve_clusters.c.record_id, resolve_clusters.c.cluster_id)
                .where(resolve_clusters.c.grp == group)
            ).all()
        )
        decided = decisions.in_force(conn)
    keys = key_table(profile, rows)
    trained: Trained
    trained, pred = run(
        profile, ids, rows, keys=keys, threshold_weight=thresholds.weight(thresholds.keep)
    )
    pairs = pair_rows([c.name for c in profile.comparisons], pred)
    same, not_same = decisions.split(decided)
    comps = cluster(
        ids,
        ((a, b, w) for a, b, w, _, _ in pairs),
        thresholds.weight(thresholds.link),
        same,
        not_same,
    )
    mapping = assign_ids(comps, previous)
    report = RunReport(
        group, len(ids), len(pairs), len(comps), sum(1 for c in comps if len(c) > 1), 0.0
    )
    with node.write() as conn:
        state.replace_group(conn, group, ids, versions, rows, keys, pairs, mapping)
        state.save_model(conn, trained, cursor)
        node.audit.append(conn, actor, "resolve_run", group, report.to_dict())
    return RunReport(**{**report.to_dict(), "seconds": round(time.perf_counter() - started, 3)})
