"""The SQLite writer queue: writers of one process take turns in arrival order."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import text

from puente.node import Node
from puente.store import db
from puente.store.tables import exchange_released


def test_a_writer_is_not_starved_by_a_thread_writing_back_to_back(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'q.db'}")
    with db.write(engine) as conn:
        conn.exec_driver_sql("CREATE TABLE t (who TEXT, n INTEGER)")
    stop = threading.Event()
    busy = threading.Event()

    def hog() -> None:  # the background feed builder's pattern: commit, begin again
        n = 0
        while not stop.is_set():
            with db.write(engine) as conn:
                conn.execute(text("INSERT INTO t VALUES ('hog', :n)"), {"n": n})
                busy.set()
                time.sleep(0.02)  # a chunk's worth of work inside the transaction
            n += 1

    thread = threading.Thread(target=hog)
    thread.start()
    try:
        busy.wait(5)
        for _ in range(5):
            with engine.connect() as conn:
                before = conn.execute(text("SELECT COUNT(*) FROM t")).scalar_one()
            with db.write(engine) as conn:
                hog_rows = conn.execute(text("SELECT COUNT(*) FROM t")).scalar_one()
                conn.execute(text("INSERT INTO t VALUES ('other', 0)"))
            # first come, first served: the hog's transaction in progress when we
            # queued, and at most one it began in the instant between our count and
            # our turn, came first (without the queue: hundreds)
            assert hog_rows - before <= 2
    finally:
        stop.set()
        thread.join()
        engine.dispose()


def test_a_queued_writer_that_waits_too_long_leaves_the_queue() -> None:
    queue = db.WriterQueue()
    assert queue.acquire(timeout=1)
    outcome: list[bool] = []
    waiter = threading.Thread(target=lambda: outcome.append(queue.acquire(timeout=0.05)))
    waiter.start()
    waiter.join()
    assert outcome == [False]  # not queued: SQLite's busy timeout decides, as before
    queue.release()
    assert queue.acquire(timeout=1)  # the queue is free again, nobody left in line
    queue.release()


def test_turns_are_handed_over_in_arrival_order() -> None:
    queue = db.WriterQueue()
    assert queue.acquire(timeout=1)
    order: list[int] = []
    threads = []
    for k in range(4):

        def take(k: int = k) -> None:
            assert queue.acquire(timeout=5)
            order.append(k)
            queue.release()

        threads.append(threading.Thread(target=take))
        threads[-1].start()
        while len(queue._waiting) < k + 1:
            time.sleep(0.001)
    queue.release()
    for t in threads:
        t.join()
    assert order == [0, 1, 2, 3]


def test_a_nested_write_in_the_same_thread_is_not_queued() -> None:
    queue = db.WriterQueue()
    assert queue.acquire(timeout=1)
    assert queue.acquire(timeout=1) is False  # would wait on itself: left to SQLite
    queue.release()


def test_postgresql_writers_are_not_queued_here(node: Node) -> None:
    queued = db._writer_queue(node.engine)
    assert (queued is None) == (not db.is_sqlite(node.engine))


def test_postgresql_plans_each_statement_for_its_values(node: Node) -> None:
    # A server-side prepared statement may keep a generic plan chosen while a table was
    # small (a sequential scan that then stays as the table grows): none are made.
    if db.is_sqlite(node.engine):
        return
    with node.read() as conn:
        for _ in range(10):
            conn.execute(text("SELECT id FROM records WHERE id IN (:a, :b)"), {"a": "x", "b": "y"})
        prepared = conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar()
    assert prepared == 0


def test_select_in_finds_any_number_of_keys_with_driver_placeholders(node: Node) -> None:
    # More keys than one chunk, keys that look like SQL, a fixed condition besides.
    with node.write() as conn:
        db.insert_rows(
            conn,
            "exchange_released",
            ("partner", "record_id", "hash"),
            [("USA", f"r{i}'; --", f"h{i}") for i in range(1203)] + [("GTM", "r7'; --", "g")],
        )
    wanted = [f"r{i}'; --" for i in range(0, 1300, 2)]  # 602 held, 48 not
    with node.read() as conn:
        got = list(
            db.select_in(
                conn,
                exchange_released,
                ("record_id", "hash"),
                "record_id",
                wanted,
                where={"partner": "USA"},
                chunk=100,
            )
        )
        none = list(db.select_in(conn, exchange_released, ("hash",), "record_id", []))
    assert sorted((r[0], r[1]) for r in got) == sorted(
        (f"r{i}'; --", f"h{i}") for i in range(0, 1203, 2)
    )
    assert none == []
