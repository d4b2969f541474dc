"""A full resolution run of one group: records → features → Splink → pairs → clusters.

Invariant: a run reads the node at one change-feed position (``cursor``), and writes
features, keys, pairs, clusters and the trained model of the group, with that cursor,
in one transaction with its audit entry — readers see the previous run or this one,
never a mix. Changes after the cursor are left to incremental resolution. Cluster ids
follow the rules of ``clusters.assign_ids`` so a re-run keeps the entities analysts know.

The group streams through a ``workspace.Workspace`` (DuckDB on disk, under the node
directory): the process holds one chunk of records, DuckDB's memory limit and one int
per record for the union-find, whatever the size of the group (``docs/resolution.md``).
"""

from __future__ import annotations

import json
import logging
import math
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from puente.node import Node
from puente.resolve import decisions, state
from puente.resolve.clusters import Pair, components
from puente.resolve.features import extract
from puente.resolve.model import KEY_CAP, Trained, predict_blocked, table_linker, train_table
from puente.resolve.profiles import PROFILES, Profile
from puente.resolve.workspace import Limits, Workspace


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


log = logging.getLogger(__name__)
THRESHOLDS = Thresholds()
LIMITS = Limits()


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


def resolve_group(
    node: Node,
    group: str,
    actor: str,
    thresholds: Thresholds = THRESHOLDS,
    limits: Limits = LIMITS,
) -> RunReport:
    """Resolve every record of ``group`` (see the module docstring); the work happens in a
    ``Workspace`` under the node directory, removed afterwards."""
    started = time.perf_counter()
    lap = _laps(group)
    profile = PROFILES[group]
    node.settings.node_dir.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="resolve-", dir=node.settings.node_dir) as tmp,
        Workspace(Path(tmp), profile, limits) as ws,
    ):
        with node.read() as conn:
            cursor = state.max_seq(conn)
            for batch in state.group_batches(conn, group, limits.read_chunk):
                ws.add_raw(batch)
            ws.add_previous(state.group_clusters(conn, group))
            decided = decisions.in_force(conn)
        lap("read")
        for raw in ws.raw():
            ws.add([(rid, v, extract(group, json.loads(props))) for rid, v, props in raw])
        lap("features")
        bound = ws.index_keys(KEY_CAP)
        lap("keys")
        trained = _score(ws, profile, thresholds, limits, bound, lap)
        same, not_same = decisions.split(decided)
        number = ws.ids_of(r for pair in (*same, *not_same) for r in pair)

        def numbered(pairs: list[Pair]) -> list[tuple[int, int]]:
            return [(number[a], number[b]) for a, b in pairs if a in number and b in number]

        roots = components(
            ws.n, ws.links(thresholds.weight(thresholds.link)), numbered(same), numbered(not_same)
        )
        lap("components")
        ws.name_clusters(roots)
        del roots
        lap("cluster ids")
        pairs, clusters, merged = ws.counts()
        report = RunReport(group, ws.n, pairs, clusters, merged, 0.0)
        with node.write() as conn:
            state.replace_group(
                conn,
                group,
                ws.stored_features(),
                ws.stored_keys(),
                ws.stored_pairs(),
                ws.stored_clusters(),
                bulk=ws.n >= limits.bulk_records,
            )
            state.save_model(conn, trained, cursor)
            node.audit.append(conn, actor, "resolve_run", group, report.to_dict())
        lap("write")
    return RunReport(**{**report.to_dict(), "seconds": round(time.perf_counter() - started, 3)})


def _laps(group: str) -> Callable[[str], None]:
    """Log the time each step of a run took (``puente.resolve.pipeline`` at INFO)."""
    last = [time.perf_counter(), time.process_time()]

    def lap(step: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        log.info("%s: %s %.1f s (cpu %.1f s)", group, step, now - last[0], cpu - last[1])
        last[:] = [now, cpu]

    return lap


def _score(
    ws: Workspace,
    profile: Profile,
    thresholds: Thresholds,
    limits: Limits,
    bound: int,
    lap: Callable[[str], None],
) -> Trained:
    """Train on the workspace's input (a sample of it when large), then score every
    blocked pair into ``pairs``, a slice of records at a time."""
    from splink import DuckDBAPI

    spec = train_table(profile, DuckDBAPI(connection=ws.con), "input", ws.n, limits.train_max)
    trained = Trained(profile.group, spec, ws.tf_tables(), ws.n)
    lap("training")
    if ws.n < 2:
        return trained
    # a linker of its own: Splink caches term frequencies per API, and the training
    # linker's were computed on the sample
    api = DuckDBAPI(connection=ws.con)
    link, _ = table_linker(profile, api, "input", ws.n, spec)
    chunks = max(1, math.ceil(bound / limits.pairs_per_chunk))
    keep = thresholds.weight(thresholds.keep)
    for table, fields in predict_blocked(profile, link, api, ws.blocked(chunks), keep):
        ws.sql(
            "INSERT INTO pairs SELECT unique_id_l, unique_id_r, match_weight, "
            f"match_probability, {fields} FROM {table}"
        )
    log.info("%s: %d blocked pairs at most, scored in %d slice(s)", profile.group, bound, chunks)
    lap("scoring")
    return trained
