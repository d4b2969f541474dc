"""Compiled kernels (numba): popcount over packed 64-bit words, no temporaries.

``numpy`` alone materialises ``rows & query`` and its bit counts for every comparison,
which caps it near 4 M comparisons/s here; these loops compile to the CPU's ``popcnt``
(LLVM ``ctpop``) and keep everything in registers, as anonlink's C++ kernel does.

- ``scan``: every query against every row, Dice ≥ threshold. Four queries share each
  pass over the rows (a row's words are loaded once for four comparisons), and a row
  whose popcount cannot reach the threshold with any of them is skipped, as anonlink
  skips by popcount.
- ``search``: the blocked, field-aware search of ``matcher`` — candidates gathered here
  from the sorted token and LSH band arrays (no Python per query), each row compared at
  most once per query, birth-date and identifier tokens compared before any popcount.
  Ranking adds 1 when the dates agree and 0.5 when the year does (agreeing dates
  first); a hit sharing an identifier is marked ``+ SHARED_ID`` in its relation; the
  score never leaves the owner.

Invariant: each kernel writes at most ``cap`` hits per query and returns / stores how
many it found; a query finding more than ``cap`` keeps the ``cap`` best.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt
from numba.core import types
from numba.core.extending import intrinsic

F = TypeVar("F", bound=Callable[..., Any])
_jit = cast(Callable[[F], F], numba.njit(cache=True, nogil=True))
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

# what the birth dates say (``clk.Rule``); DIFFER is never a hit
DATE, YEAR, UNKNOWN, DIFFER = 0, 1, 2, 3
# what the identifier tokens say: one shared; none shared where both hold one of a kind
NEUTRAL, AGREE, CONFLICT = 0, 1, 2
SHARED_ID = 4  # added to a hit's relation when an identifier agreed (``rel % 4``: dates)


def _ctpop(typingctx: Any, x: Any) -> Any:
    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.ctpop(args[0])

    return types.uint64(types.uint64), codegen


_popcnt = cast(Callable[[Any], Any], intrinsic(_ctpop))


@_jit
def _keep(idx: I64, score: F64, rel: I64, n: int, row: int, s: float, r: int) -> int:
    """Insert (row, score, relation) into a query's hit list (capacity ``len(idx)``)."""
    cap = idx.shape[0]
    if n < cap:
        idx[n], score[n], rel[n] = row, s, r
        return n + 1
    worst = 0
    for j in range(1, cap):
        if score[j] < score[worst]:
            worst = j
    if s > score[worst]:
        idx[worst], score[worst], rel[worst] = row, s, r
    return n


@_jit
def scan(
    queries: U64, qpc: I64, rows: U64, pc: I64, alive: npt.NDArray[np.bool_],
    threshold: float, out_idx: I64, out_dice: F64, out_n: I64,
) -> None:  # fmt: skip
    """Every query against every live row; hits (Dice ≥ threshold) go to ``out_*[i]``."""
    nq, words = queries.shape[0], rows.shape[1]
    rel = np.zeros(out_idx.shape[1], dtype=np.int64)
    for i0 in range(0, nq, 4):
        lanes = min(4, nq - i0)
        q0, q1 = queries[i0], queries[min(i0 + 1, nq - 1)]
        q2, q3 = queries[min(i0 + 2, nq - 1)], queries[min(i0 + 3, nq - 1)]
        p0, p1 = qpc[i0], qpc[min(i0 + 1, nq - 1)]
        p2, p3 = qpc[min(i0 + 2, nq - 1)], qpc[min(i0 + 3, nq - 1)]
        n0 = n1 = n2 = n3 = 0
        for r in range(rows.shape[0]):
            p = pc[r]
            if (
                2.0 * min(p, p0) < threshold * (p + p0)
                and 2.0 * min(p, p1) < threshold * (p + p1)
                and 2.0 * min(p, p2) < threshold * (p + p2)
                and 2.0 * min(p, p3) < threshold * (p + p3)
            ) or not alive[r]:
                continue
            c0 = c1 = c2 = c3 = np.uint64(0)
            for w in range(words):
                x = rows[r, w]
                c0 += _popcnt(x & q0[w])
                c1 += _popcnt(x & q1[w])
                c2 += _popcnt(x & q2[w])
                c3 += _popcnt(x & q3[w])
            if p + p0 > 0 and 2.0 * c0 >= threshold * (p + p0):
                n0 = _keep(out_idx[i0], out_dice[i0], rel, n0, r, 2.0 * c0 / (p + p0), 0)
            if lanes > 1 and p + p1 > 0 and 2.0 * c1 >= threshold * (p + p1):
                n1 = _keep(out_idx[i0 + 1], out_dice[i0 + 1], rel, n1, r, 2.0 * c1 / (p + p1), 0)
            if lanes > 2 and p + p2 > 0 and 2.0 * c2 >= threshold * (p + p2):
                n2 = _keep(out_idx[i0 + 2], out_dice[i0 + 2], rel, n2, r, 2.0 * c2 / (p + p2), 0)
            if lanes > 3 and p + p3 > 0 and 2.0 * c3 >= threshold * (p + p3):
                n3 = _keep(out_idx[i0 + 3], out_dice[i0 + 3], rel, n3, r, 2.0 * c3 / (p + p3), 0)
        out_n[i0] = n0
        if lanes > 1:
            out_n[i0 + 1] = n1
        if lanes > 2:
            out_n[i0 + 2] = n2
        if lanes > 3:
            out_n[i0 + 3] = n3


@_jit
def band_keys(rows: U64, band_words: I64, band_shifts: U64) -> npt.NDArray[np.uint32]:
    """The LSH key of every row in every band: its bits at the band's positions."""
    out = np.zeros((band_words.shape[0], rows.shape[0]), dtype=np.uint32)
    for r in range(rows.shape[0]):
        for b in range(band_words.shape[0]):
            key = np.uint32(0)
            for j in range(band_words.shape[1]):
                bit = (rows[r, band_words[b, j]] >> band_shifts[b, j]) & np.uint64(1)
                key |= np.uint32(bit) << np.uint32(j)
            out[b, r] = key
    return out


@_jit
def relation(qy: np.uint64, qd: np.uint64, qs: np.uint64, ry: np.uint64, rd: np.uint64) -> int:
    """What two birth dates say, from their tokens (0 = none): see ``clk.Rule``."""
    if qy == 0 or ry == 0:
        return UNKNOWN
    if qy != ry:
        return DIFFER
    if qd != 0 and rd != 0:
        return DATE if rd == qd or (qs != 0 and rd == qs) else DIFFER
    return YEAR


@_jit
def identifiers(qp: np.uint64, qph: np.uint64, rp: np.uint64, rph: np.uint64) -> int:
    """What the passport and phone tokens (0 = none) of a query and a row say."""
    if (qp != 0 and qp == rp) or (qph != 0 and qph == rph):
        return AGREE
    if (qp != 0 and rp != 0) or (qph != 0 and rph != 0):
        return CONFLICT
    return NEUTRAL


@_jit
def search(
    queries: U64, qpc: I64, qtok: U64, rows: U64, pc: I64, alive: npt.NDArray[np.bool_],
    rtok: U64, params: F64, everyone: bool, delta_from: int,
    band_words: I64, band_shifts: U64, band_keys: npt.NDArray[np.uint32],
    band_rows: npt.NDArray[np.int32], undated_keys: npt.NDArray[np.uint32],
    undated_rows: npt.NDArray[np.int32], tok_keys: U64, tok_rows: npt.NDArray[np.int32],
    tok_start: I64, stamp: npt.NDArray[np.int32],
    out_idx: I64, out_score: F64, out_rel: I64, out_n: I64,
) -> None:  # fmt: skip
    """For each query, the ``cap`` best hits among: every row (``everyone``), or the rows
    added since the bands were built (``delta_from``…), the rows whose date token equals
    the query's date or swapped date (kind 0 of the token arrays, sorted within each
    kind from ``tok_start[kind]``), the rows of the query's year that hold only a year
    (kind 1; with the rest of that year's rows, kind 2, when the query holds only a
    year), the rows holding its passport or phone token (kinds 3, 4), and the rows
    sharing an LSH band key with it — among the rows without a
    birth date (``undated_*``) when the query has one, since any dated row it could hit
    shares its date or year; among every row (``band_*``) otherwise. ``stamp`` (zeros,
    one per row) marks rows already gathered for the current query.

    Query tokens ``qtok``: (year, date, swap, passport, phone); row tokens ``rtok``:
    (year, date, passport, phone); 0 = none. ``params``: ``clk.Rule.params`` — [rule?,
    dice share, t_date, t_year, t_unknown, t_agree, conflict t_date, t_year, t_unknown];
    without a rule, plain Dice against t_date."""
    nrows, words = rows.shape[0], rows.shape[1]
    rule = params[0] > 0
    share = params[1] if rule else 1.0
    cand = np.zeros(0 if everyone else nrows, dtype=np.int32)
    for i in range(queries.shape[0]):
        qy, qd, qs = qtok[i, 0], qtok[i, 1], qtok[i, 2]
        m = 0
        if not everyone:
            mark = np.int32(i + 1)
            for r in range(delta_from, nrows):
                stamp[r] = mark
                cand[m] = r
                m += 1
            # date, swap in kind 0; year in kind 1, and 2 if no date; passport 3; phone 4
            for j in range(6):
                key = qtok[i, (1, 2, 0, 0, 3, 4)[j]]
                kind = (0, 0, 1, 2, 3, 4)[j]
                if key == 0 or (j == 3 and qd != 0):
                    continue
                s0, s1 = tok_start[kind], tok_start[kind + 1]
                lo = s0 + np.searchsorted(tok_keys[s0:s1], key, side="left")
                hi = s0 + np.searchsorted(tok_keys[s0:s1], key, side="right")
                for k in range(lo, hi):
                    r = tok_rows[k]
                    if stamp[r] != mark:
                        stamp[r] = mark
                        cand[m] = r
                        m += 1
            bkeys, brows = (undated_keys, undated_rows) if qy != 0 else (band_keys, band_rows)
            for b in range(band_words.shape[0]):
                key32 = np.uint32(0)
                for j in range(band_words.shape[1]):
                    bit = (queries[i, band_words[b, j]] >> band_shifts[b, j]) & np.uint64(1)
                    key32 |= np.uint32(bit) << np.uint32(j)
                lo = np.searchsorted(bkeys[b], key32, side="left")
                hi = np.searchsorted(bkeys[b], key32, side="right")
                for k in range(lo, hi):
                    r = brows[b, k]
                    if stamp[r] != mark:
                        stamp[r] = mark
                        cand[m] = r
                        m += 1
        n = 0
        q = qpc[i]
        for c in range(nrows if everyone else m):
            r = c if everyone else cand[c]
            if not alive[r]:
                continue
            rel = UNKNOWN
            ids = NEUTRAL
            t = params[2]
            bonus = 0.0
            if rule:
                rel = relation(qy, qd, qs, rtok[r, 0], rtok[r, 1])
                if rel == DIFFER:
                    continue
                ids = identifiers(qtok[i, 3], qtok[i, 4], rtok[r, 2], rtok[r, 3])
                t = params[5] if ids == AGREE else params[(6 if ids == CONFLICT else 2) + rel]
                bonus = 1.0 if rel == DATE else (0.5 if rel == YEAR else 0.0)
            p = pc[r]
            total, small = p + q, min(p, q)
            # the intersection is at most the smaller popcount: skip what cannot reach t
            if small == 0 or share * 2.0 * small / total + (1.0 - share) < t:
                continue
            inter = np.uint64(0)
            for w in range(words):
                inter += _popcnt(rows[r, w] & queries[i, w])
            sim = share * 2.0 * inter / total + (1.0 - share) * inter / small
            if sim >= t:
                seen = rel + SHARED_ID if ids == AGREE else rel
                n = _keep(out_idx[i], out_score[i], out_rel[i], n, r, sim + bonus, seen)
        out_n[i] = n
