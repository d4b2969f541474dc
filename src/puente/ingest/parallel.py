"""Validation and derivation of ingest rows, inline or in worker processes.

Reading, the markings, duplicate detection and writing stay in the loading process
(they need the file, the node and the one transaction); validating each entity and
deriving what the store writes (``records.prepare``: canonical JSON, content hash,
name tokens, identifier keys) is pure CPU work on one row at a time, so large files
hand it to a small pool of worker processes, chunk by chunk, and the results come back
in file order. Both paths run the same function (``prepare_chunk``), so a file gives
the same records, problems and rejects whichever path took it (tested).

The pool is the process-wide one of ``puente.workers`` (a fork server's workers, with
this module preloaded). A process with threads — a serving node — prepares inline
unless the caller asks for workers. If the pool cannot start or breaks, the chunks it
held are prepared inline and the load goes on.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from puente.errors import Problem
from puente.model.markings import Markings
from puente.model.record import validate_entity
from puente.store import records
from puente.workers import discard, pool

CHUNK = 1000
# below this size a file is prepared inline: starting workers costs more than it saves
PARALLEL_MIN_BYTES = 16 * 1024 * 1024

# one row of work: its entities and the index of its markings in the chunk's table
Work = tuple[list[dict[str, Any]], int]
Result = tuple[list[records.Prepared], list[Problem]]

log = logging.getLogger(__name__)


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
    return pool(workers, [__name__])


class Preparer:
    """Feeds rows in, yields ``(row, Result)`` back in the order they went in.

    ``workers == 0`` prepares inline; otherwise chunks of ``CHUNK`` rows go to the pool
    with at most ``2 × workers + 1`` chunks in flight, so memory stays bounded whatever
    the file's size."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None
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
            self._executor = _pool_for(self.workers)
            future = self._executor.submit(prepare_chunk, work, marks)
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
        log.warning("ingest workers unavailable; preparing rows in the loading process")
        if self._executor is not None:
            discard(self._executor)
        self.workers = 0
