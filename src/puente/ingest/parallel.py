"""Validation and derivation of ingest rows, inline or in worker processes.

Reading, the markings, duplicate detection and writing stay in the loading process
(they need the file, the node and the one transaction); validating each entity and
deriving what the store writes (``records.prepare``: canonical JSON, content hash,
name tokens, identifier keys) is pure CPU work on one row at a time, so large files
hand it to a small pool of worker processes, chunk by chunk, and the results come back
in file order. Both paths run the same function (``prepare_chunk``), so a file gives
the same records, problems and rejects whichever path took it (tested).

The pool is started once per process and reused by later loads; it is shut down at
exit. Its workers come from a fork server (``forkserver``): a clean process started
once, with this module preloaded, that forks each worker. A worker forked straight from
the loading process would inherit its threads' locks and every file descriptor it holds
(database sockets, a child process's pipes: a pipe whose write end lives on in a worker
never reaches end-of-file, and whoever waits for that child waits forever — seen with
Playwright's driver in the test suite). A process with threads — a serving node —
prepares inline unless the caller asks for workers. If the pool cannot start or breaks,
the chunks it held are prepared inline and the load goes on.
"""

from __future__ import annotations

import atexit
import gc
import logging
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any

from puente.errors import Problem
from puente.model.markings import Markings
from puente.model.record import validate_entity
from puente.store import records

CHUNK = 1000
# below this size a file is prepared inline: starting workers costs more than it saves
PARALLEL_MIN_BYTES = 16 * 1024 * 1024

# one row of work: its entities and the index of its markings in the chunk's table
Work = tuple[list[dict[str, Any]], int]
Result = tuple[list[records.Prepared], list[Problem]]

log = logging.getLogger(__name__)
_pool: ProcessPoolExecutor | None = None
_pool_size = 0


def default_workers(size: int) -> int:
    """Worker processes for a load of ``size`` bytes: none for small files, in a
    process running other threads, or on fewer than four cores; else all cores but the
    loader's and the database's, at most 4. On two cores a worker competes with the
    loader and the database for the same cores and the hand-over costs more than it
    saves: 100k records on SQLite took 56 µs a record with one worker, 52 inline (and
    on PostgreSQL 108 against 85)."""
    cores = os.cpu_count() or 2
    if size < PARALLEL_MIN_BYTES or threading.active_count() > 1 or cores < 4:
        return 0
    return min(cores - 2, 4)


def prepare_chunk(rows: Sequence[Work], marks: Sequence[Markings]) -> list[Result]:
    """Validate and prepare each row's entities; a row with any problem prepares nothing
    of the problem entity but keeps its valid siblings (the caller rejects the row)."""
    out: list[Result] = []
    for entities, mi in rows:
        prepared: list[records.Prepared] = []
        problems: list[Problem] = []
        for entity in entities:
            rid, schema, props, eproblems = validate_entity(entity)
            if eproblems:
                problems.extend(eproblems)
            else:
                prepared.append(records.prepare(rid, schema, props, marks[mi]))
        out.append((prepared, problems))
    return out


def _pool_for(workers: int) -> ProcessPoolExecutor:
    global _pool, _pool_size
    if _pool is None or _pool_size != workers:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        _pool = ProcessPoolExecutor(workers, mp_context=context)
        _pool_size = workers
        atexit.register(_pool.shutdown, wait=False, cancel_futures=True)
    return _pool


class Preparer:
    """Feeds rows in, yields ``(row, Result)`` back in the order they went in.

    ``workers == 0`` prepares inline; otherwise chunks of ``CHUNK`` rows go to the pool
    with at most ``2 × workers + 1`` chunks in flight, so memory stays bounded whatever
    the file's size."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._rows: list[Any] = []
        self._work: list[Work] = []
        self._marks: list[Markings] = []
        self._mark_index: dict[int, int] = {}
        self._flight: deque[tuple[list[Any], list[Work], list[Markings], Future[list[Result]]]]
        self._flight = deque()

    def add(
        self, row: Any, entities: list[dict[str, Any]], marks: Markings
    ) -> list[tuple[Any, Result]]:
        """Queue one row; returns the rows whose results are ready (maybe none)."""
        mi = self._mark_index.get(id(marks))
        if mi is None:
            mi = self._mark_index[id(marks)] = len(self._marks)
            self._marks.append(marks)
        self._rows.append(row)
        self._work.append((entities, mi))
        return self._send() if len(self._work) >= CHUNK else []

    def finish(self) -> list[tuple[Any, Result]]:
        """Every row still queued or in flight, with its result."""
        return [*self._send(), *self._drain()]

    def _send(self) -> list[tuple[Any, Result]]:
        if not self._work:
            return []
        rows, work, marks = self._rows, self._work, self._marks
        self._rows, self._work, self._marks, self._mark_index = [], [], [], {}
        if self.workers == 0:
            return list(zip(rows, prepare_chunk(work, marks), strict=True))
        try:
            future = _pool_for(self.workers).submit(prepare_chunk, work, marks)
        except (BrokenProcessPool, OSError, RuntimeError):
            self._give_up()
            return [*self._drain(), *zip(rows, prepare_chunk(work, marks), strict=True)]
        self._flight.append((rows, work, marks, future))
        ready: list[tuple[Any, Result]] = []
        while len(self._flight) > 2 * self.workers + 1:
            ready.extend(self._receive())
        return ready

    def _receive(self) -> list[tuple[Any, Result]]:
        rows, work, marks, future = self._flight.popleft()
        try:
            results = future.result()
        except (BrokenProcessPool, CancelledError):
            self._give_up()
            results = prepare_chunk(work, marks)
        return list(zip(rows, results, strict=True))

    def _drain(self) -> list[tuple[Any, Result]]:
        ready: list[tuple[Any, Result]] = []
        while self._flight:
            ready.extend(self._receive())
        return ready

    def _give_up(self) -> None:
        """The pool is gone: prepare inline from now on (same results, slower)."""
        global _pool
        log.warning("ingest workers unavailable; preparing rows in the loading process")
        self.workers = 0
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
            _pool = None


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector during a bulk load: the rows in flight are
    millions of young objects without cycles, and full collections walking them cost a
    third of the load. Reference counting still frees everything; the collector runs
    again (and catches up) when the load ends."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
