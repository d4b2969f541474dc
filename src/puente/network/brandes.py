"""Compiled graph kernels (numba) over a CSR adjacency: connected components and
Brandes' subset betweenness from weighted sources, on every core.

igraph's subset betweenness runs one search per source (~80 ms each on a 100k / 500k
graph here, ~1 s at 1M / 5M, where every step is a cache miss). These kernels search
from up to 64 sources at once (multi-source BFS, Then et al. 2014, carried through
Brandes' dependency accumulation): a vertex holds a 64-bit word of the sources that
reached it, each level is processed in vertex order, and a vertex's adjacency and rows
are read once per level instead of once per source. Dependencies are pulled from the
successors, so no predecessor lists are kept, and a search in a small component only
touches that component.

Invariants:
- ``subset`` returns Σ over sources s (weight w_s) and targets t ≠ s of w_s · σ_st(v) /
  σ_st, halved, for every v ≠ s, t — igraph's ``betweenness(directed=False, sources=,
  targets=)`` when every weight is 1;
- the result depends only on the inputs, never on the number of cores or the order
  the threads finish in: source i goes to lane i mod lanes (their number and the batch
  size follow from the number of sources and vertices), each lane adds into its own
  accumulator in a fixed order, and the lanes are added in order.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt
from numba.cpython.unsafe import numbers

F = TypeVar("F", bound=Callable[..., Any])
_jit = cast(Callable[[F], F], numba.njit(cache=True, nogil=True))

Ints = npt.NDArray[np.int64]
Int32s = npt.NDArray[np.int32]
Floats = npt.NDArray[np.float64]
Words = npt.NDArray[np.uint64]
# LLVM's cttz: the index of a word's lowest set bit (numba's intrinsic, typed for mypy)
trailing_zeros = cast(Callable[[np.uint64], int], numbers.trailing_zeros)

BATCH = 64  # sources searched together: one bit each in a 64-bit word
BATCH_BYTES = 2**30  # per thread, for sigma and coeff (n × batch float64 each)
LANES = 8  # at most; each lane has its own accumulator
# below this many edge visits (sources × adjacency entries) threads cost more than they save
INLINE_WORK = 2_000_000


@_jit
def _fill(n: int, lo: Ints, hi: Ints, indptr: Ints, indices: Int32s) -> None:
    """Counting sort of the undirected pairs into CSR; with pairs sorted by (lo, hi)
    every neighbour list comes out ascending."""
    for i in range(lo.shape[0]):
        indptr[lo[i] + 1] += 1
        indptr[hi[i] + 1] += 1
    for v in range(n):
        indptr[v + 1] += indptr[v]
    fill = indptr[:-1].copy()
    for i in range(lo.shape[0]):
        a, b = lo[i], hi[i]
        indices[fill[a]] = b
        fill[a] += 1
        indices[fill[b]] = a
        fill[b] += 1


def csr(n: int, lo: Ints, hi: Ints) -> tuple[Ints, Int32s]:
    """``indptr`` (n + 1) and ``indices`` (2 × pairs) of the undirected simple graph."""
    indptr = np.zeros(n + 1, dtype=np.int64)
    indices = np.empty(2 * len(lo), dtype=np.int32)
    _fill(n, lo.astype(np.int64), hi.astype(np.int64), indptr, indices)
    return indptr, indices


@_jit
def components(indptr: Ints, indices: Int32s) -> Ints:
    """A component label per vertex, numbered in the order of their smallest vertex."""
    n = indptr.shape[0] - 1
    label = np.full(n, -1, dtype=np.int64)
    queue = np.empty(n, dtype=np.int32)
    count = 0
    for root in range(n):
        if label[root] >= 0:
            continue
        label[root] = count
        queue[0] = root
        head, tail = 0, 1
        while head < tail:
            v = queue[head]
            head += 1
            for j in range(indptr[v], indptr[v + 1]):
                w = indices[j]
                if label[w] < 0:
                    label[w] = count
                    queue[tail] = w
                    tail += 1
        count += 1
    return label


@_jit
def _batch(
    indptr: Ints, indices: Int32s, sources: Ints, weights: Floats, target: Floats,
    acc: Floats, sigma: Floats, coeff: Floats, marks: Words, succ: Words,
) -> None:  # fmt: skip
    """Adds the weighted dependencies of up to 64 distinct sources to ``acc``, all their
    searches at once (multi-source BFS): bit b of a vertex's word stands for source b,
    a level lists each vertex reached with the word of the sources that reach it there,
    and every vertex's adjacency is read once per level, not once per source.

    ``sigma``, ``coeff`` (n × len(sources)), ``marks`` (n × 2: the sources that reached
    a vertex so far, and those reaching it on the level being built — side by side, one
    cache line) and ``succ`` (n) come in zeroed and are left zeroed."""
    n = indptr.shape[0] - 1
    one = np.uint64(1)
    zero = np.uint64(0)
    cap = 1024
    lv = np.empty(cap, dtype=np.int32)  # level entries: vertex and word
    lw = np.empty(cap, dtype=np.uint64)
    start = np.zeros(n + 3, dtype=np.int64)  # level d is lv[start[d]:start[d + 1]]
    size = 0
    for b in range(sources.shape[0]):
        s = sources[b]
        lv[size] = s
        lw[size] = one << np.uint64(b)
        size += 1
        marks[s, 0] = one << np.uint64(b)
        sigma[s, b] = 1.0
    start[1] = size
    depth = 0
    while start[depth + 1] > start[depth]:
        for e in range(start[depth], start[depth + 1]):
            v = lv[e]
            fm = lw[e]
            for j in range(indptr[v], indptr[v + 1]):
                w = indices[j]
                m = fm & ~marks[w, 0]
                if m == zero:
                    continue
                if marks[w, 1] == zero:
                    if size == cap:
                        cap *= 2
                        lv2 = np.empty(cap, dtype=np.int32)
                        lw2 = np.empty(cap, dtype=np.uint64)
                        lv2[:size] = lv[:size]
                        lw2[:size] = lw[:size]
                        lv, lw = lv2, lw2
                    lv[size] = w
                    size += 1
                marks[w, 1] |= m
                while m != zero:
                    b = trailing_zeros(m)
                    sigma[w, b] += sigma[v, b]
                    m &= m - one
        # in vertex order, the next level reads the adjacency arrays front to back and
        # finds a community's neighbours still in the cache
        lv[start[depth + 1] : size].sort()
        for e in range(start[depth + 1], size):
            w = lv[e]
            lw[e] = marks[w, 1]
            marks[w, 0] |= marks[w, 1]
            marks[w, 1] = zero
        depth += 1
        start[depth + 1] = size
    # dependencies, deepest level first, pulled: a vertex at level d adds up the
    # coefficients (target + delta) / sigma of its successors (level d + 1, their words
    # in ``succ``), then leaves its own in ``coeff`` for level d - 1 — one random read of
    # a successor's row per neighbour, the vertex's own rows read in order
    acc_b = np.zeros(sources.shape[0], dtype=np.float64)
    for d in range(depth - 1, 0, -1):
        for e in range(start[d + 1], start[d + 2]):
            succ[lv[e]] = lw[e]
        for e in range(start[d], start[d + 1]):
            w = lv[e]
            wm = lw[e]
            for j in range(indptr[w], indptr[w + 1]):
                x = indices[j]
                m = wm & succ[x]
                while m != zero:
                    b = trailing_zeros(m)
                    acc_b[b] += coeff[x, b]
                    m &= m - one
            total = 0.0
            m = wm
            while m != zero:
                b = trailing_zeros(m)
                dep = sigma[w, b] * acc_b[b]
                acc_b[b] = 0.0
                total += weights[b] * dep
                coeff[w, b] = (target[w] + dep) / sigma[w, b]
                m &= m - one
            acc[w] += total
        for e in range(start[d + 1], start[d + 2]):
            succ[lv[e]] = zero
    for e in range(size):
        w = lv[e]
        marks[w, 0] = zero
        m = lw[e]
        while m != zero:
            b = trailing_zeros(m)
            sigma[w, b] = 0.0
            coeff[w, b] = 0.0
            m &= m - one


@_jit
def _accumulate(
    indptr: Ints, indices: Int32s, sources: Ints, weights: Floats, target: Floats,
    acc: Floats, batch: int,
) -> None:  # fmt: skip
    """``_batch`` over ``sources`` in batches of ``batch``, sharing one workspace."""
    n = indptr.shape[0] - 1
    batch = max(1, min(batch, sources.shape[0]))  # no wider than the lane needs
    sigma = np.zeros((n, batch), dtype=np.float64)
    coeff = np.zeros((n, batch), dtype=np.float64)
    marks = np.zeros((n, 2), dtype=np.uint64)
    succ = np.zeros(n, dtype=np.uint64)
    for lo in range(0, sources.shape[0], batch):
        hi = min(lo + batch, sources.shape[0])
        _batch(indptr, indices, sources[lo:hi], weights[lo:hi], target, acc,
               sigma, coeff, marks, succ)  # fmt: skip


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


def subset(
    indptr: Ints, indices: Int32s, sources: Ints, weights: Floats,
    targets: npt.NDArray[np.bool_],
) -> Floats:  # fmt: skip
    """Betweenness over shortest paths from ``sources`` (each counted ``weights`` times)
    to ``targets`` (a mask), undirected, in hops — see the module's invariants."""
    return start(indptr, indices, sources, weights, targets)()


def start(
    indptr: Ints, indices: Int32s, sources: Ints, weights: Floats,
    targets: npt.NDArray[np.bool_],
) -> Callable[[], Floats]:  # fmt: skip
    """``subset`` begun on threads: returns once they run the compiled searches (which
    hold no GIL), so the caller can do other work — igraph's Leiden — meanwhile; the
    function it returns waits for them and gives the result."""
    n = indptr.shape[0] - 1
    sources = np.ascontiguousarray(sources, dtype=np.int64)
    weights = np.ascontiguousarray(weights, dtype=np.float64)
    if len(np.unique(sources)) != len(sources):
        raise ValueError("betweenness sources must be distinct")
    target = targets.astype(np.float64)
    if len(sources) == 0:
        return lambda: np.zeros(n)
    # fewer sources per batch on big graphs keeps each thread's workspace bounded
    batch = max(1, min(BATCH, BATCH_BYTES // (16 * max(n, 1))))
    lanes = min(LANES, -(-len(sources) // batch))
    acc = np.zeros((lanes, n), dtype=np.float64)
    running = threading.Semaphore(0)

    def run(c: int) -> None:
        lane, lane_weights = sources[c::lanes].copy(), weights[c::lanes].copy()
        running.release()
        _accumulate(indptr, indices, lane, lane_weights, target, acc[c], batch)

    def total() -> Floats:
        out = acc[0].copy()
        for c in range(1, lanes):
            out += acc[c]
        return cast(Floats, out * 0.5)

    workers = min(_cores(), lanes)
    if workers == 1 or len(sources) * max(len(indices), 1) < INLINE_WORK:
        for c in range(lanes):
            run(c)
        return total
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="brandes")
    futures = [pool.submit(run, c) for c in range(lanes)]
    pool.shutdown(wait=False)
    for _ in range(workers):
        running.acquire()

    def finish() -> Floats:
        for f in futures:
            f.result()
        return total()

    return finish
