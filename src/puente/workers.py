"""CPU-bound work off the calling process: one process pool, and the garbage collector.

The pool serves every feature that hands pure CPU work to other processes (ingest's
``prepare_chunk``, the exchange's ``verify.check_page``). It is started once per
process, on first use, and reused; it is shut down at exit. Its workers come from a
fork server (``forkserver``): a clean process started once, with the modules the
callers name preloaded, that forks each worker. A worker forked straight from the
calling process would inherit its threads' locks and every file descriptor it holds
(database sockets, a child process's pipes: a pipe whose write end lives on in a worker
never reaches end-of-file, and whoever waits for that child waits forever — seen with
Playwright's driver in the test suite). Every worker watches the process that started
the pool and ends with it, even when that process is killed (``_end_with``); the fork
server then ends with its last worker. Callers fall back to doing the work themselves
when the pool cannot start or breaks (``BrokenProcessPool``).

The collector: bulk work (a load, a sync) makes millions of young container objects
without cycles — parsed rows, prepared records — and the cyclic collector's default
pace (a young collection every 700 allocations, full ones as the heap grows) walked
them over and over: a quarter of a sync's checking time. ``gc_paused`` (one
transaction's load) and ``gc_relaxed`` (long-running work beside other threads) hold
it back; reference counting still frees everything meanwhile.
"""

from __future__ import annotations

import atexit
import gc
import multiprocessing
import os
import select
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None  # published only once its workers run
_pool_size = 0
_preload: frozenset[str] = frozenset()  # what the published pool's fork server imported


def pool(workers: int, preload: Sequence[str]) -> ProcessPoolExecutor:
    """The process pool, with at least ``workers`` workers whose fork server has
    imported ``preload``; started (or restarted larger) on demand, and returned once
    its workers run (a second or so: the fork server imports ``preload`` first)."""
    global _pool, _pool_size, _preload
    with _lock:
        ready = running(workers, preload)
        if ready is not None:
            return ready
        old, size, wanted = _pool, max(workers, _pool_size), _preload | set(preload)
        _pool, _pool_size = None, 0
        if old is not None:
            old.shutdown(wait=False, cancel_futures=True)
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(sorted(wanted))
        fresh = ProcessPoolExecutor(
            size, mp_context=context, initializer=_end_with, initargs=(os.getpid(),)
        )
        try:  # start the fork server and the workers now, not in a caller's first submit
            for done in [fresh.submit(int) for _ in range(size)]:
                done.result()
        except Exception:
            fresh.shutdown(wait=False, cancel_futures=True)
            raise  # nothing published: the next call tries again from scratch
        atexit.register(fresh.shutdown, wait=False, cancel_futures=True)
        _pool, _pool_size, _preload = fresh, size, frozenset(wanted)
        return fresh


def running(workers: int, preload: Sequence[str]) -> ProcessPoolExecutor | None:
    """The pool if it already runs with at least ``workers`` workers and ``preload``;
    never starts one and never waits for one that is starting."""
    current, size, loaded = _pool, _pool_size, _preload
    if current is not None and size >= workers and loaded.issuperset(preload):
        return current
    return None


def _end_with(creator: int) -> None:
    """Worker initializer: the worker ends when the process that started the pool does.
    Without it a node killed with SIGKILL left its workers and fork server running for
    good: each worker holds both ends of its task queue and the fork server's
    keep-alive pipe, so none of them ever sees end-of-file."""
    threading.Thread(target=_watch, args=(creator,), name="puente-watch", daemon=True).start()


def _watch(creator: int) -> None:
    try:
        fd = os.pidfd_open(creator)  # readable once ``creator`` has exited (Linux)
    except ProcessLookupError:
        os._exit(0)
    except (AttributeError, OSError):
        while _alive(creator):  # no pidfd here: look every second
            time.sleep(1.0)
    else:
        select.select([fd], [], [])
    os._exit(0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def discard(broken: ProcessPoolExecutor) -> None:
    """Forget ``broken`` (if it is still the pool): the next ``pool()`` starts anew."""
    global _pool, _pool_size
    with _lock:
        if _pool is broken:
            _pool.shutdown(wait=False, cancel_futures=True)
            _pool, _pool_size = None, 0


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


RELAXED = (20_000, 20, 20)
_gc_lock = threading.Lock()  # not ``_lock``: a pool starting must not hold up the collector
_relaxed = 0
_saved: tuple[int, int, int] | None = None


@contextmanager
def gc_relaxed() -> Iterator[None]:
    """Collect young objects every 20,000 allocations instead of 700 while the block
    runs (nested and concurrent blocks share one setting; the last to leave restores
    the previous thresholds). Cycles are still collected, so a serving node's other
    threads keep their memory bounded. A 20k-entry page check: 21 µs an entry with the
    default pace, 15.3 with none, 15.7 relaxed."""
    global _relaxed, _saved
    with _gc_lock:
        if _relaxed == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(*RELAXED)
        _relaxed += 1
    try:
        yield
    finally:
        with _gc_lock:
            _relaxed -= 1
            if _relaxed == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
