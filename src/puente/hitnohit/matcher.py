"""Matching person queries against the owner's CLKs: Dice similarity with blocking.

Rows are CLKs packed in 64-bit words; Dice = 2·popcount(a ∧ b) / (popcount a + popcount b).
A query is compared with every row when that is cheap (rows × queries ≤ ``EXACT_BUDGET``),
otherwise with the union of two candidate sets, both computed here, on the owner's side,
from what the query already carries:

- rows sharing the query's keyed birth-date token (exact date, or year when only the
  year is known);
- rows agreeing with it on every sampled bit of at least one of ``BANDS`` bands of
  ``BAND_BITS`` positions (bit-sampling LSH for Hamming distance), each band a sorted
  key array searched with ``numpy.searchsorted``.

Rows added after the bands were built sit in a delta that every query scans in full;
``compact`` rebuilds the bands once the delta grows. Invariant: ``search`` only ever
returns live rows at or above the threshold and within ``RUNNER_UP`` of the best,
best first — never a score.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from puente.hitnohit.clk import Packed
from puente.hitnohit.kernels import scan

EXACT_BUDGET = 30_000_000
# Besides the best row, only rows nearly as similar are hits: a clearly better match
# makes the others noise, while true duplicates at the owner score alike.
RUNNER_UP = 0.08
BANDS = 24
BAND_BITS = 16
_SEED = 20250911
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]


def token_int(digest_hex: str) -> int:
    """A 64-bit integer for a keyed token (its first 16 hex digits)."""
    return int(digest_hex[:16], 16)


class ClkMatcher:
    def __init__(self, nbytes: int, threshold: float) -> None:
        self.words = nbytes // 8
        self.threshold = threshold
        self.rows: Packed = np.zeros((0, self.words), dtype=np.uint64)
        self.pc: I64 = np.zeros(0, dtype=np.int64)
        self.ids: list[str] = []
        self.where: dict[str, int] = {}
        self.alive = np.zeros(0, dtype=np.bool_)
        self.tok_keys: U64 = np.zeros(0, dtype=np.uint64)
        self.tok_rows: I64 = np.zeros(0, dtype=np.int64)
        self.banded = 0  # rows [0, banded) are in the bands; the rest is the delta
        rng = np.random.default_rng(_SEED)
        nbits = nbytes * 8
        self.band_pos = [rng.choice(nbits, BAND_BITS, replace=False) for _ in range(BANDS)]
        self.bands: list[tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]] = []

    def __len__(self) -> int:
        return int(self.alive.sum())

    # --- building ------------------------------------------------------------------

    def add(self, ids: Sequence[str], rows: Packed, tokens: Sequence[Sequence[int]]) -> None:
        """Add (or replace) rows; replaced ids are marked dead."""
        self.remove(ids)
        start = len(self.ids)
        self.rows = np.concatenate([self.rows, rows])
        self.pc = np.concatenate([self.pc, np.bitwise_count(rows).sum(1, dtype=np.int64)])
        self.alive = np.concatenate([self.alive, np.ones(len(ids), dtype=np.bool_)])
        for i, rid in enumerate(ids):
            self.where[rid] = start + i
        self.ids.extend(ids)
        keys = [t for toks in tokens for t in toks]
        owners = [start + i for i, toks in enumerate(tokens) for _ in toks]
        if keys:
            all_keys = np.concatenate([self.tok_keys, np.array(keys, dtype=np.uint64)])
            all_rows = np.concatenate([self.tok_rows, np.array(owners, dtype=np.int64)])
            order = np.argsort(all_keys, kind="stable")
            self.tok_keys, self.tok_rows = all_keys[order], all_rows[order]
        if len(self.ids) - self.banded > max(5000, self.banded // 20):
            self.compact()

    def remove(self, ids: Sequence[str]) -> None:
        for rid in ids:
            row = self.where.pop(rid, None)
            if row is not None:
                self.alive[row] = False

    def _band_keys(self, rows: Packed, band: int) -> npt.NDArray[np.uint32]:
        key = np.zeros(len(rows), dtype=np.uint32)
        for j, p in enumerate(self.band_pos[band]):
            word, shift = int(p) // 64, 8 * ((int(p) % 64) // 8) + 7 - int(p) % 8
            bit = (rows[:, word] >> np.uint64(shift)) & np.uint64(1)
            key |= bit.astype(np.uint32) << np.uint32(j)
        return key

    def compact(self) -> None:
        """Drop dead rows and rebuild the bands over every live row."""
        keep = np.nonzero(self.alive)[0]
        remap = np.full(len(self.ids), -1, dtype=np.int64)
        remap[keep] = np.arange(len(keep))
        self.rows, self.pc = self.rows[keep], self.pc[keep]
        self.ids = [self.ids[i] for i in keep]
        self.where = {rid: i for i, rid in enumerate(self.ids)}
        self.alive = np.ones(len(keep), dtype=np.bool_)
        live_tok = remap[self.tok_rows] >= 0
        self.tok_keys, self.tok_rows = self.tok_keys[live_tok], remap[self.tok_rows[live_tok]]
        self.bands = []
        for band in range(BANDS):
            keys = self._band_keys(self.rows, band)
            order = np.argsort(keys, kind="stable")
            self.bands.append((keys[order], order.astype(np.int64)))
        self.banded = len(self.ids)

    # --- searching -----------------------------------------------------------------

    def _candidates(self, query: Packed, tokens: Sequence[int]) -> I64:
        parts: list[I64] = [np.arange(self.banded, len(self.ids), dtype=np.int64)]
        for tok in tokens:
            t = np.uint64(tok)
            lo = int(np.searchsorted(self.tok_keys, t, side="left"))
            hi = int(np.searchsorted(self.tok_keys, t, side="right"))
            parts.append(self.tok_rows[lo:hi])
        q = query.reshape(1, -1)
        for band, (keys, order) in enumerate(self.bands):
            k = self._band_keys(q, band)[0]
            lo = int(np.searchsorted(keys, k, side="left"))
            hi = int(np.searchsorted(keys, k, side="right"))
            parts.append(order[lo:hi])
        return np.unique(np.concatenate(parts))

    def exact_for(self, queries: int) -> bool:
        """Compare with every row (no blocking) for a batch of ``queries``?"""
        return len(self.ids) * queries <= EXACT_BUDGET or not self.bands

    def search(self, queries: Packed, tokens: Sequence[Sequence[int]], top: int) -> list[list[str]]:
        """For each query, the ids of at most ``top`` live rows with Dice ≥ threshold,
        best first."""
        count = len(queries)
        if not len(self.ids) or not count:
            return [[] for _ in range(count)]
        qpc = np.bitwise_count(queries).sum(1, dtype=np.int64)
        starts = np.zeros(count + 1, dtype=np.int64)
        cand: I64 = np.zeros(0, dtype=np.int64)
        if not self.exact_for(count):
            parts = [self._candidates(queries[i], tokens[i]) for i in range(count)]
            starts[1:] = np.cumsum([len(p) for p in parts])
            cand = np.concatenate(parts) if parts else cand
            if not len(cand):
                return [[] for _ in range(count)]
        idx = np.zeros((count, max(top, 1)), dtype=np.int64)
        dice = np.zeros((count, max(top, 1)), dtype=np.float64)
        found = np.zeros(count, dtype=np.int64)
        scan(
            queries,
            qpc,
            self.rows,
            self.pc,
            self.alive,
            cand,
            starts,
            self.threshold,
            idx,
            dice,
            found,
        )
        out: list[list[str]] = []
        for i in range(count):
            n = int(found[i])
            best = np.argsort(-dice[i, :n], kind="stable")
            near = [j for j in best if dice[i, j] >= dice[i, best[0]] - RUNNER_UP]
            out.append([self.ids[int(idx[i, j])] for j in near])
        return out
