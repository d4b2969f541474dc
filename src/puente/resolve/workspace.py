"""A full run's working set, on disk: one DuckDB database in a temporary directory.

A full run never holds the group in Python objects. Records are read from the store in
chunks and each chunk's features go straight into DuckDB tables, columnar, keyed by a
dense integer ``idx`` (read order); blocking keys, Splink's input, the scored pairs and
the clusters are tables keyed by it, and the store's record ids appear only in ``feats``
and ``prev``. DuckDB runs with a memory limit and spills to the directory, so what the
process holds is bounded by that limit, one chunk of rows and the union-find array of
``clusters.components`` (one int per record).

Tables (``n`` records, ``k`` kept blocking keys per record):

- ``feats(idx, record_id, version, features)`` — features as the JSON the store keeps;
- ``input(unique_id, <feature columns>)`` — Splink's input (``unique_id`` = ``idx``);
- ``keys(idx, key, parent)`` → ``key_counts(key, parent, n)``, ``kept_keys(key, n)``,
  ``kept(idx, key)`` — the keys shared by at most ``cap`` records (a refined key only
  where its parent is not); ``blocked`` — a slice of the pairs sharing one;
- ``pairs(l, r, w, p, fields)`` — scored pairs above the keep threshold, ``l < r`` by idx;
- ``prev(record_id, cluster_id)`` — the group's clusters before the run;
- ``comp(idx, root)``, ``members``, ``comps``, ``named(root, cluster_id)`` — clusters.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import pyarrow as pa

from puente.resolve.features import COLUMNS, Row
from puente.resolve.profiles import Profile, parent_of

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@dataclass(frozen=True)
class Limits:
    """What a full run may use: DuckDB's memory (it spills beyond), records per chunk
    read from the store, upper bound of blocked pairs scored per Splink chunk, records
    the model is trained on (a random sample beyond it), rows per batch written back and
    the size of a run from which the store's indexes are rebuilt rather than updated."""

    memory: str = "2GB"
    threads: int = 2
    read_chunk: int = 20_000
    pairs_per_chunk: int = 25_000_000
    train_max: int = 50_000
    write_batch: int = 20_000
    bulk_records: int = 50_000


def array_columns(profile: Profile) -> set[str]:
    return {lv.col for c in profile.comparisons for lv in c.levels if lv.kind == "intersect"}


class Workspace:
    def __init__(self, directory: Path, profile: Profile, limits: Limits) -> None:
        self.profile = profile
        self.limits = limits
        self.columns = COLUMNS[profile.group]
        arrays = array_columns(profile)
        strings = pa.list_(pa.string())
        self.schema = pa.schema(
            [("unique_id", pa.int64())]
            + [(c, strings if c in arrays else pa.string()) for c in self.columns]
        )
        spill = directory / "spill"
        spill.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect(
            str(directory / "run.duckdb"),
            config={
                "memory_limit": limits.memory,
                "threads": limits.threads,
                "temp_directory": str(spill),
                "preserve_insertion_order": False,
            },
        )
        cols = ", ".join(f'"{c}" {"VARCHAR[]" if c in arrays else "VARCHAR"}' for c in self.columns)
        self.sql(
            "CREATE TABLE feats (idx BIGINT, record_id VARCHAR, version BIGINT, features VARCHAR);"
            f"CREATE TABLE base (unique_id BIGINT, {cols});"
            "CREATE TABLE keys (idx BIGINT, key VARCHAR, parent VARCHAR);"
            "CREATE TABLE raw (record_id VARCHAR, version BIGINT, properties VARCHAR);"
            "CREATE TABLE prev (record_id VARCHAR, cluster_id VARCHAR);"
            "CREATE TABLE pairs (l BIGINT, r BIGINT, w DOUBLE, p DOUBLE, fields VARCHAR);"
        )
        self.n = 0

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.con.close()

    # --- filling ---------------------------------------------------------------------

    def add_raw(self, rows: Sequence[tuple[str, int, str]]) -> None:
        """Records as the store holds them, ``(id, version, properties JSON)``: copied
        first so the run's read transaction lasts a copy, not the feature extraction."""
        table = pa.table(
            {
                "record_id": [r for r, _, _ in rows],
                "version": pa.array([v for _, v, _ in rows], pa.int64()),
                "properties": [p for _, _, p in rows],
            }
        )
        self.con.register("puente_raw", table)
        self.sql("INSERT INTO raw SELECT * FROM puente_raw")
        self.con.unregister("puente_raw")

    def raw(self) -> Iterator[list[tuple[Any, ...]]]:
        """The copied records in chunks; ``add`` may run while this is read."""
        yield from self.stream("SELECT * FROM raw", self.limits.read_chunk)
        self.sql("DROP TABLE raw")

    def add(self, records: Sequence[tuple[str, int, Row]]) -> None:
        """One chunk of ``(record_id, version, features)``."""
        if not records:
            return
        start = self.n
        idx = list(range(start, start + len(records)))
        rows = [r for _, _, r in records]
        data: dict[str, Any] = {"unique_id": idx}
        for col in self.columns:
            data[col] = [r[col] for r in rows]
        chunk = pa.Table.from_pydict(data, schema=self.schema)
        block = self.profile.block_keys
        per_row = [set(block(r)) for r in rows]
        owners = [i for i, ks in zip(idx, per_row, strict=True) for _ in ks]
        flat = [k for ks in per_row for k in ks]
        keys = pa.table(
            {
                "idx": pa.array(owners, pa.int64()),
                "key": flat,
                "parent": pa.array([parent_of(k) for k in flat], pa.string()),
            }
        )
        feats = pa.table(
            {
                "idx": pa.array(idx, pa.int64()),
                "record_id": [rid for rid, _, _ in records],
                "version": pa.array([v for _, v, _ in records], pa.int64()),
                "features": [_dumps(r) for r in rows],
            }
        )
        for table, data_ in (("base", chunk), ("keys", keys), ("feats", feats)):
            self.con.register("puente_chunk", data_)
            self.sql(f"INSERT INTO {table} SELECT * FROM puente_chunk")
            self.con.unregister("puente_chunk")
        self.n += len(records)

    def add_previous(self, rows: Iterable[tuple[str, str]]) -> None:
        """The group's clusters before this run, ``(record_id, cluster_id)``."""
        for batch in _batched(rows, self.limits.write_batch):
            table = pa.table({"record_id": [r for r, _ in batch], "cid": [c for _, c in batch]})
            self.con.register("puente_prev", table)
            self.sql("INSERT INTO prev SELECT * FROM puente_prev")
            self.con.unregister("puente_prev")

    def index_keys(self, cap: int) -> int:
        """Drop keys shared by more than ``cap`` records (stop-word keys) and refined
        keys whose parent was not dropped (``profiles.refined``); returns an upper bound
        of the blocked pairs (sum of n·(n−1)/2 over kept keys). Splink gets the pairs
        themselves (``blocked``), so its input needs no key column."""
        cap = int(cap)
        self.sql(
            "CREATE TABLE key_counts AS SELECT key, any_value(parent) AS parent, "
            "count(*) AS n FROM keys GROUP BY key;"
            "CREATE TABLE kept_keys AS SELECT c.key, c.n FROM key_counts c "
            "LEFT JOIN key_counts p ON p.key = c.parent "
            f"WHERE c.n <= {cap} AND (c.parent IS NULL OR coalesce(p.n, 0) > {cap});"
            "CREATE TABLE kept AS SELECT k.idx, k.key FROM keys k JOIN kept_keys USING (key);"
            "DROP TABLE keys;"
            "ALTER TABLE base RENAME TO input;"
        )
        bound = self.scalar("SELECT sum(n * (n - 1) // 2) FROM kept_keys")
        return int(bound or 0)

    def blocked(self, slices: int) -> Iterator[str]:
        """The distinct pairs ``l < r`` sharing a kept key, one slice of ``l`` at a time,
        each as the table ``blocked`` in Splink's blocked-pairs layout (replaced by the
        next slice). Record ``l`` pairs with the records after it, so slice bounds
        follow ``1 − (1 − x/n)²`` to give each slice about as many pairs."""
        bounds = [round(self.n * (1 - math.sqrt(1 - i / slices))) for i in range(slices + 1)]
        for lo, hi in itertools.pairwise(bounds):
            if hi > lo:
                self.sql(
                    "CREATE OR REPLACE TABLE blocked AS SELECT DISTINCT '0' AS match_key, "
                    "a.idx AS join_key_l, b.idx AS join_key_r FROM kept a JOIN kept b "
                    f"ON a.key = b.key AND a.idx < b.idx WHERE a.idx >= {lo} AND a.idx < {hi}"
                )
                yield "blocked"
        self.sql("DROP TABLE IF EXISTS blocked")

    # --- reading ---------------------------------------------------------------------

    def sql(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run ``sql`` to the end (DuckDB refuses more work on a connection with an
        unfinished result)."""
        return self.con.execute(sql, params).fetchall()

    def scalar(self, sql: str) -> Any:
        rows = self.sql(sql)
        return rows[0][0] if rows else None

    def stream(self, sql: str, size: int | None = None) -> Iterator[list[tuple[Any, ...]]]:
        """Result rows in batches, on a cursor of its own (the connection stays free)."""
        cur = self.con.cursor()
        try:
            result = cur.execute(sql)
            while batch := result.fetchmany(size or self.limits.write_batch):
                yield batch
        finally:
            cur.close()

    def tf_tables(self) -> dict[str, dict[str, float]]:
        """Splink's term frequencies: count(value) / count(non-null values)."""
        out: dict[str, dict[str, float]] = {}
        for col in self.profile.tf_columns:
            counts = self.sql(
                f'SELECT "{col}", count(*) FROM input WHERE "{col}" IS NOT NULL GROUP BY 1'
            )
            total = float(sum(n for _, n in counts)) or 1.0
            out[col] = {str(k): float(n) / total for k, n in counts}
        return out

    def ids_of(self, record_ids: Iterable[str]) -> dict[str, int]:
        """idx of the given record ids that are in the run."""
        wanted = sorted(set(record_ids))
        if not wanted:
            return {}
        self.con.register("puente_wanted", pa.table({"record_id": wanted}))
        found = self.sql("SELECT record_id, idx FROM feats JOIN puente_wanted USING (record_id)")
        self.con.unregister("puente_wanted")
        return {r: int(i) for r, i in found}

    # --- clusters --------------------------------------------------------------------

    def links(self, threshold: float) -> Iterator[list[tuple[int, int]]]:
        """Pairs at or above ``threshold``, strongest first, ties by record ids — the
        order ``clusters.cluster`` applies links in."""
        sql = (
            "SELECT p.l, p.r FROM pairs p JOIN feats a ON a.idx = p.l JOIN feats b "
            f"ON b.idx = p.r WHERE p.w >= {float(threshold)!r} ORDER BY p.w DESC, "
            "least(a.record_id, b.record_id), greatest(a.record_id, b.record_id)"
        )
        return self.stream(sql, 100_000)

    def name_clusters(self, roots: Sequence[int]) -> None:
        """Give each component (``roots[idx]``) its id as ``clusters.assign_ids`` does:
        largest components first (ties: smallest first member) each keep the previous
        id they hold most of (ties: the smaller id) unless an earlier one took it; the
        others get ``fresh_id`` of their members, de-duplicated against ids in use."""
        con = self.con
        con.register("puente_roots", pa.table({"idx": range(len(roots)), "root": roots}))
        self.sql(
            "CREATE TABLE comp AS SELECT idx::BIGINT AS idx, root::BIGINT AS root "
            "FROM puente_roots;"
        )
        con.unregister("puente_roots")
        self.sql(
            "CREATE TABLE members AS SELECT c.root, f.record_id, p.cluster_id AS prev "
            "FROM comp c JOIN feats f USING (idx) LEFT JOIN prev p USING (record_id);"
            "CREATE TABLE comps AS SELECT root, count(*) AS size, min(record_id) AS first, "
            "'E' || substr(sha256(string_agg(record_id, chr(10) ORDER BY record_id)), 1, 20) "
            "AS fresh FROM members GROUP BY root;"
            "CREATE TABLE named (root BIGINT, cluster_id VARCHAR);"
        )
        claimed: set[str] = set()
        inherited: list[tuple[int, str]] = []
        current, done = -1, False
        overlaps = (
            "SELECT o.root, o.prev FROM (SELECT root, prev, count(*) AS k FROM members "
            "WHERE prev IS NOT NULL GROUP BY root, prev) o JOIN comps c USING (root) "
            "ORDER BY c.size DESC, c.first, o.k DESC, o.prev"
        )
        for batch in self.stream(overlaps):
            for root, cid in batch:
                if root != current:
                    current, done = root, False
                if done or cid in claimed:
                    continue
                claimed.add(cid)
                inherited.append((root, cid))
                done = True
            if len(inherited) >= self.limits.write_batch:
                self._named(inherited)
                inherited = []
        self._named(inherited)
        # fresh ids, unless one is in use (a previous id, or the same members' hash)
        clashes = self.sql(
            "SELECT c.root, c.fresh FROM comps c ANTI JOIN named n USING (root) "
            "WHERE c.fresh IN (SELECT cluster_id FROM prev) OR c.fresh IN "
            "(SELECT fresh FROM comps GROUP BY fresh HAVING count(*) > 1) "
            "ORDER BY c.size DESC, c.first"
        )
        taken: set[str] = set()
        fixed: list[tuple[int, str]] = []
        for root, fresh in clashes:
            chosen, k = fresh, 1
            while chosen in taken or chosen in claimed or self._was_used(chosen):
                chosen = f"{fresh}-{k}"
                k += 1
            taken.add(chosen)
            fixed.append((root, chosen))
        self._named(fixed)
        self.sql("INSERT INTO named SELECT root, fresh FROM comps ANTI JOIN named USING (root)")

    def _named(self, rows: Sequence[tuple[int, str]]) -> None:
        if rows:
            table = pa.table(
                {"root": pa.array([r for r, _ in rows], pa.int64()), "cid": [c for _, c in rows]}
            )
            self.con.register("puente_named", table)
            self.sql("INSERT INTO named SELECT * FROM puente_named")
            self.con.unregister("puente_named")

    def _was_used(self, cluster_id: str) -> bool:
        return bool(self.sql("SELECT 1 FROM prev WHERE cluster_id = ? LIMIT 1", [cluster_id]))

    def counts(self) -> tuple[int, int, int]:
        """(scored pairs, clusters, clusters of more than one record)."""
        pairs = int(self.scalar("SELECT count(*) FROM pairs"))
        row = self.sql("SELECT count(*), count(*) FILTER (size > 1) FROM comps")[0]
        return pairs, int(row[0]), int(row[1])

    # --- what the store keeps ----------------------------------------------------------

    def stored_features(self) -> Iterator[list[tuple[Any, ...]]]:
        return self.stream("SELECT record_id, version, features FROM feats ORDER BY record_id")

    def stored_keys(self) -> Iterator[list[tuple[Any, ...]]]:
        return self.stream(
            "SELECT k.key, f.record_id FROM kept k JOIN feats f USING (idx) ORDER BY k.key"
        )

    def stored_pairs(self) -> Iterator[list[tuple[Any, ...]]]:
        """(left id, right id, weight, probability, fields), ``left < right``."""
        return self.stream(
            "SELECT least(a.record_id, b.record_id) AS x, greatest(a.record_id, b.record_id), "
            "p.w, p.p, p.fields FROM pairs p JOIN feats a ON a.idx = p.l "
            "JOIN feats b ON b.idx = p.r ORDER BY x"
        )

    def stored_clusters(self) -> Iterator[list[tuple[Any, ...]]]:
        return self.stream(
            "SELECT f.record_id, n.cluster_id FROM comp c JOIN feats f USING (idx) "
            "JOIN named n USING (root) ORDER BY f.record_id"
        )


def _batched(rows: Iterable[tuple[str, str]], size: int) -> Iterator[list[tuple[str, str]]]:
    batch: list[tuple[str, str]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
