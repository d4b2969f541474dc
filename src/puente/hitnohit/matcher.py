"""Matching person queries against the owner's CLKs, with blocking.

Rows are CLKs packed in 64-bit words with, per row, its tokens as 64-bit integers
(year, date, passport, phone; 0 = none). A profile with a ``Rule`` (``person``) compares names
and birth dates apart (``clk.Rule``): the kernel first reads what the tokens say, drops
rows whose dates disagree without counting a bit, then needs the name similarity of that
outcome. A profile without one (``febrl``) is plain Dice against its threshold.

A query is compared with every row when that is cheap (rows × queries ≤
``EXACT_BUDGET``), otherwise with the union of candidate sets computed here, on the
owner's side, from what the query carries (``kernels.search``):

- rows whose date token is the query's date or its day/month swap;
- rows of the query's birth year that hold only a year (every row of that year when the
  query holds only a year);
- rows holding the query's passport or phone token;
- rows agreeing with it on every sampled bit of at least one of ``BANDS`` bands of
  ``BAND_BITS`` positions (bit-sampling LSH for Hamming distance) — how rows without a
  birth date, and queries without one, find each other: a dated query looks only among
  the undated rows (the dated ones it could hit share its date or year), so two sets of
  bands are kept, over every row and over the undated ones.

Rows added after the bands were built sit in a delta that every query scans in full;
``compact`` rebuilds bands and token arrays once the delta grows. Invariant: ``search``
only ever returns live rows that are hits under the profile, best first — never a score:
rows whose dates agree (or whose year agrees where only a year is known) or that share
an identifier, then rows whose name similarity is within ``RUNNER_UP`` of the best.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import numpy.typing as npt

from puente.hitnohit.clk import Packed, Rule
from puente.hitnohit.kernels import DATE, SHARED_ID, UNKNOWN, YEAR, band_keys, scan, search

EXACT_BUDGET = 30_000_000
# Besides the best row, only rows whose names are nearly as similar are hits: a clearly
# better match makes the others noise, while true duplicates at the owner score alike.
# Compared on name similarity, not on the rank (a row whose dates agree ranks first but
# does not push out an undated duplicate of the same name). Rows whose birth dates agree
# or that share an identifier are hits on their own (duplicates that write the name
# differently).
RUNNER_UP = 0.08
BANDS = 32
BAND_BITS = 14
_SEED = 20250911
THREADS = min(4, os.cpu_count() or 1)
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]


ROW_TOKENS = 4  # year, date, passport, phone
QUERY_TOKENS = 5  # year, date, swap, passport, phone


def _tokens(tokens: U64 | None, count: int, width: int) -> U64:
    """``count`` rows of ``width`` tokens: all 0 (none) when ``tokens`` is None."""
    if tokens is None:
        return np.zeros((count, width), dtype=np.uint64)
    return np.asarray(tokens, dtype=np.uint64).reshape(count, width)


def token_int(digest_hex: str) -> int:
    """A 64-bit integer for a keyed token (its first 16 hex digits; never 0)."""
    return int(digest_hex[:16], 16) or 1


class ClkMatcher:
    def __init__(self, nbytes: int, threshold: float, rule: Rule | None = None) -> None:
        self.words = nbytes // 8
        self.threshold = threshold
        self.rule = rule
        self.rows: Packed = np.zeros((0, self.words), dtype=np.uint64)
        self.pc: I64 = np.zeros(0, dtype=np.int64)
        self.tok: U64 = np.zeros((0, ROW_TOKENS), dtype=np.uint64)
        # a numpy object array, not a list: the cyclic GC does not walk its million items
        self.ids: npt.NDArray[np.object_] = np.zeros(0, dtype=object)
        self.where: dict[str, int] = {}
        self.alive = np.zeros(0, dtype=np.bool_)
        self.banded = 0  # rows [0, banded) are in the bands and token arrays; the rest is delta
        rng = np.random.default_rng(_SEED)
        pos = np.array([rng.choice(nbytes * 8, BAND_BITS, replace=False) for _ in range(BANDS)])
        self.band_words = (pos // 64).astype(np.int64)
        self.band_shifts = (8 * ((pos % 64) // 8) + 7 - pos % 8).astype(np.uint64)
        self.band_keys = np.zeros((0, 0), dtype=np.uint32)
        self.band_rows: I32 = np.zeros((0, 0), dtype=np.int32)
        self.undated_keys = np.zeros((0, 0), dtype=np.uint32)
        self.undated_rows: I32 = np.zeros((0, 0), dtype=np.int32)
        self.tok_keys: U64 = np.zeros(0, dtype=np.uint64)
        self.tok_rows: I32 = np.zeros(0, dtype=np.int32)
        self.tok_start: I64 = np.zeros(6, dtype=np.int64)
        if rule is None:
            self.params = np.array([0.0, 1.0] + [threshold] * 7)
        else:
            self.params = np.array(rule.params())

    def __len__(self) -> int:
        return int(self.alive.sum())

    # --- building ------------------------------------------------------------------

    def add(self, ids: Sequence[str], rows: Packed, tokens: U64 | None = None) -> None:
        """Add (or replace) rows, with their (year, date, passport, phone) tokens;
        replaced ids die."""
        self.remove(ids)
        start = len(self.ids)
        self.rows = np.concatenate([self.rows, rows])
        self.pc = np.concatenate([self.pc, np.bitwise_count(rows).sum(1, dtype=np.int64)])
        self.tok = np.concatenate([self.tok, _tokens(tokens, len(ids), ROW_TOKENS)])
        self.alive = np.concatenate([self.alive, np.ones(len(ids), dtype=np.bool_)])
        for i, rid in enumerate(ids):
            self.where[rid] = start + i
        self.ids = np.concatenate([self.ids, np.array(list(ids), dtype=object)])
        if len(self.ids) - self.banded > max(5000, self.banded // 20):
            self.compact()

    def remove(self, ids: Sequence[str]) -> None:
        for rid in ids:
            row = self.where.pop(rid, None)
            if row is not None:
                self.alive[row] = False

    def _band_keys(self, rows: Packed) -> npt.NDArray[np.uint32]:
        return band_keys(np.ascontiguousarray(rows), self.band_words, self.band_shifts)

    def compact(self) -> None:
        """Drop dead rows, order the rest by birth-date tokens, rebuild the bands and token
        arrays over them."""
        keep = np.nonzero(self.alive)[0]
        # rows of a birth year (and of a date) side by side: a block is read in one sweep
        keep = keep[np.lexsort((self.tok[keep, 1], self.tok[keep, 0]))]
        self.rows, self.pc, self.tok = self.rows[keep], self.pc[keep], self.tok[keep]
        self.ids = self.ids[keep]
        self.where = {rid: i for i, rid in enumerate(self.ids.tolist())}
        self.alive = np.ones(len(keep), dtype=np.bool_)
        keys = self._band_keys(self.rows)
        order = np.argsort(keys, axis=1, kind="stable").astype(np.int32)
        self.band_keys = np.take_along_axis(keys, order, axis=1)
        self.band_rows = order
        year, date = self.tok[:, 0], self.tok[:, 1]
        undated = np.nonzero(year == 0)[0].astype(np.int32)
        sub = np.argsort(keys[:, undated], axis=1, kind="stable")
        self.undated_keys = np.take_along_axis(keys[:, undated], sub, axis=1)
        self.undated_rows = undated[sub]
        n = np.arange(len(keep), dtype=np.int32)
        # token arrays, each kind sorted by key: dates; years of year-only rows; the rest
        # of the years; passports; phones
        passport, phone = self.tok[:, 2], self.tok[:, 3]
        parts = [date != 0, (year != 0) & (date == 0), (year != 0) & (date != 0)]
        parts += [passport != 0, phone != 0]
        keys_of = [date, year, year, passport, phone]
        sorted_parts = [np.argsort(keys_of[k][parts[k]], kind="stable") for k in range(5)]
        self.tok_keys = np.concatenate(
            [keys_of[k][parts[k]][o] for k, o in enumerate(sorted_parts)]
        )
        self.tok_rows = np.concatenate([n[parts[k]][o] for k, o in enumerate(sorted_parts)])
        self.tok_start = np.cumsum([0] + [len(o) for o in sorted_parts]).astype(np.int64)
        self.banded = len(self.ids)

    # --- searching -----------------------------------------------------------------

    def exact_for(self, queries: int) -> bool:
        """Compare with every row (no blocking) for a batch of ``queries``?"""
        return len(self.ids) * queries <= EXACT_BUDGET or not self.banded

    def search(self, queries: Packed, tokens: U64 | None, top: int) -> list[list[str]]:
        """For each query (with its (year, date, swap, passport, phone) tokens), the
        ids of at most ``top`` live rows that are hits, best first (see the module
        docstring)."""
        count = len(queries)
        if not len(self.ids) or not count:
            return [[] for _ in range(count)]
        queries = np.ascontiguousarray(queries, dtype=np.uint64)
        qpc = np.bitwise_count(queries).sum(1, dtype=np.int64)
        cap = max(top, 1)
        idx = np.zeros((count, cap), dtype=np.int64)
        score = np.zeros((count, cap), dtype=np.float64)
        rel = np.zeros((count, cap), dtype=np.int64)
        found = np.zeros(count, dtype=np.int64)
        everyone = self.exact_for(count)
        if self.rule is None and everyone:
            scan(queries, qpc, self.rows, self.pc, self.alive, self.threshold, idx, score, found)
            rel[:] = UNKNOWN
        else:
            qtok = np.ascontiguousarray(_tokens(tokens, count, QUERY_TOKENS))

            def part(lo: int, hi: int) -> None:
                stamp = np.zeros(0 if everyone else len(self.ids), dtype=np.int32)
                search(queries[lo:hi], qpc[lo:hi], qtok[lo:hi], self.rows, self.pc,
                       self.alive, self.tok, self.params, everyone, self.banded,
                       self.band_words, self.band_shifts, self.band_keys, self.band_rows,
                       self.undated_keys, self.undated_rows, self.tok_keys, self.tok_rows,
                       self.tok_start, stamp, idx[lo:hi], score[lo:hi], rel[lo:hi],
                       found[lo:hi])  # fmt: skip

            # the kernel releases the GIL: a large batch is split over the cores
            parts = min(THREADS, max(1, count // 64))
            bounds = np.linspace(0, count, parts + 1).astype(int)
            if parts == 1:
                part(0, count)
            else:
                with ThreadPoolExecutor(parts) as pool:
                    list(pool.map(part, bounds[:-1], bounds[1:]))
        # a hit's name similarity: its score without the ranking bonus of its dates
        dates = rel % SHARED_ID
        sim = score - np.where(dates == DATE, 1.0, np.where(dates == YEAR, 0.5, 0.0))
        out: list[list[str]] = []
        for i in range(count):
            n = int(found[i])
            order = np.argsort(-score[i, :n], kind="stable")
            best = sim[i, :n].max() if n else 0.0
            out.append(
                [
                    str(self.ids[int(idx[i, j])])
                    for j in order
                    if rel[i, j] != UNKNOWN or sim[i, j] >= best - RUNNER_UP
                ]
            )
        return out
