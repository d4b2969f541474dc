"""The shared process pool and the collector's pace."""

from __future__ import annotations

import gc
import os
import threading

from puente import workers


def test_gc_relaxed_nests_and_restores_the_previous_pace() -> None:
    before = gc.get_threshold()
    with workers.gc_relaxed():
        assert gc.get_threshold() == workers.RELAXED
        with workers.gc_relaxed():
            assert gc.get_threshold() == workers.RELAXED
        assert gc.get_threshold() == workers.RELAXED  # the outer block still runs
    assert gc.get_threshold() == before


def test_gc_relaxed_blocks_in_threads_restore_once_the_last_leaves() -> None:
    before = gc.get_threshold()
    inside, leave = threading.Event(), threading.Event()

    def other() -> None:
        with workers.gc_relaxed():
            inside.set()
            leave.wait(10)

    thread = threading.Thread(target=other)
    with workers.gc_relaxed():
        thread.start()
        assert inside.wait(10)
    assert gc.get_threshold() == workers.RELAXED  # the thread's block is still open
    leave.set()
    thread.join(10)
    assert gc.get_threshold() == before


def test_gc_paused_turns_collection_back_on() -> None:
    assert gc.isenabled()
    with workers.gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_pool_runs_work_in_other_processes_and_is_reused() -> None:
    pool = workers.pool(1, ["puente.workers"])
    assert pool.submit(os.getpid).result(timeout=60) != os.getpid()
    assert workers.pool(1, ["puente.workers"]) is pool
    assert workers.running(1, ["puente.workers"]) is pool
    workers.discard(pool)
    assert workers.running(1, ["puente.workers"]) is None  # it never starts one
    fresh = workers.pool(1, ["puente.workers"])
    assert fresh is not pool
    assert fresh.submit(os.getpid).result(timeout=60) != os.getpid()
