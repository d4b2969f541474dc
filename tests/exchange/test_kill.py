"""Crash safety with two real nodes on loopback, each in its own process: the MX node
runs ``puente serve``, the US node runs ``puente sync MEX`` and is killed with SIGKILL at
a random moment; the MX server is also killed mid-sync and restarted. After the last,
uninterrupted sync nothing is lost and nothing is duplicated.

The CI run does a few fast trials per backend; the 100-trial run is marked ``slow``
(``pytest -m slow tests/exchange/test_kill.py``).
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import func, select

from puente.exchange.apply import cursor
from puente.exchange.export import released
from puente.node import Node
from puente.store.tables import exchange_inbox, exchange_outbox, record_versions, records
from tests.exchange.helpers import marks, person, put

PAGE = 5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def puente(node: Node, *args: str) -> list[str]:
    return [sys.executable, "-m", "puente.cli.main", "--node", str(node.settings.node_dir), *args]


@contextmanager
def serving(node: Node, port: int) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        puente(node, "serve", "--port", str(port), "--log-level", "warning"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 300  # a loaded CI machine starts slowly
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"server did not start: {proc.communicate()[1].decode()}")
            time.sleep(0.1)
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def link(mx: Node, us: Node, port: int) -> None:
    from puente.store.partners import add_partner

    with us.write() as conn:
        add_partner(conn, "MX", f"http://127.0.0.1:{port}", mx.public_key)
    with mx.write() as conn:
        add_partner(conn, "US", "http://127.0.0.1:9", us.public_key)


def churn(mx: Node, rng: random.Random, round_: int, n: int = 150) -> None:
    """New records, changed records and records whose release is withdrawn."""
    items = []
    for _ in range(n):
        i = rng.randrange(0, 400)
        items.append((f"p{i}", rng.random() < 0.8, f"round {round_}"))
    by_id = {rid: (rel, note) for rid, rel, note in items}
    for rid, (rel, note) in by_id.items():
        put(
            mx,
            [person(rid, f"Person {rid}", notes=[note])],
            marks(mx, rel_to=["USA"] if rel else []),
        )


@dataclass
class Tally:
    lost: int  # released records missing or stale at US, entries sent but not received
    extra: int  # copies US holds that MX no longer releases
    duplicated: int  # ledger gaps/repeats, a cursor off the ledger, versions applied twice
    entries: int


def check(mx: Node, us: Node) -> Tally:
    with mx.read() as conn:
        expected = {f"MEX:{v['id']}": v["properties"] for v in released(conn, "MEX", "USA")}
        sent = conn.execute(
            select(func.count())
            .select_from(exchange_outbox)
            .where(exchange_outbox.c.partner == "USA")
        ).scalar_one()
    with us.read() as conn:
        got = {
            r.id: json.loads(r.properties)
            for r in conn.execute(
                select(records.c.id, records.c.properties).where(records.c.origin == "MEX")
            )
        }
        seqs = [
            r[0]
            for r in conn.execute(
                select(exchange_inbox.c.seq)
                .where(exchange_inbox.c.partner == "MEX")
                .order_by(exchange_inbox.c.seq)
            )
        ]
        upserts = dict(
            conn.execute(
                select(exchange_inbox.c.record_id, func.count())
                .where(exchange_inbox.c.op == "upsert")
                .group_by(exchange_inbox.c.record_id)
            ).all()
        )
        versions = dict(
            conn.execute(
                select(record_versions.c.id, func.count()).group_by(record_versions.c.id)
            ).all()
        )
        at = cursor(conn, "MEX").seq
    lost = sum(1 for k, v in expected.items() if got.get(k) != v) + (sent - len(seqs))
    extra = len(set(got) - set(expected))
    dup_versions = sum(1 for lid, n in versions.items() if n > upserts.get(lid.split(":", 1)[1], 0))
    gaps = len(seqs) - len(set(seqs)) + (0 if seqs == list(range(1, len(seqs) + 1)) else 1)
    return Tally(lost, extra, dup_versions + gaps + (at != len(seqs)), len(seqs))


def cursor_of(node: Node) -> int:
    with node.read() as conn:
        return cursor(conn, "MEX").seq


def wait_for_progress(node: Node, before: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while cursor_of(node) == before and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)


def run_trials(make_node: Callable[..., Node], trials: int, seed: int) -> Tally:
    rng = random.Random(seed)
    mx, us = make_node("MX"), make_node("US")
    port = free_port()
    link(mx, us, port)
    killed_mid = 0
    with serving(mx, port) as server:
        for trial in range(trials):
            churn(mx, rng, trial)
            with us.read() as conn:
                before = cursor(conn, "MEX").seq
            proc = subprocess.Popen(
                puente(us, "sync", "MEX", "--page", str(PAGE)),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            # Most kills land once pages are being applied (the cursor has moved), a
            # random moment later; some land earlier (start-up, first request).
            if rng.random() < 0.8:
                wait_for_progress(us, before, proc)
                time.sleep(rng.uniform(0.0, 0.4))
            else:
                time.sleep(rng.uniform(0.0, 2.0))
            proc.send_signal(signal.SIGKILL)
            _, err = proc.communicate()
            assert proc.returncode in (0, -signal.SIGKILL), err.decode()
            with us.read() as conn:
                after = cursor(conn, "MEX").seq
            killed_mid += proc.returncode == -signal.SIGKILL and before < after
            # After every kill the node is consistent: no gap, no duplicate, cursor right.
            assert check(mx, us).duplicated == 0
        assert server.poll() is None
    # The server killed mid-sync (connection cut mid-page), then restarted.
    churn(mx, rng, trials, n=300)
    with serving(mx, port) as server:
        proc = subprocess.Popen(
            puente(us, "sync", "MEX", "--page", "5"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_progress(us, cursor_of(us), proc)
        time.sleep(rng.uniform(0.0, 0.5))
        os.kill(server.pid, signal.SIGKILL)
        assert proc.wait(timeout=120) != 0 or check(mx, us).lost == 0
    with serving(mx, port):
        done = subprocess.run(puente(us, "sync", "MEX", "--json"), capture_output=True, timeout=300)
        assert done.returncode == 0, done.stderr.decode()
    tally = check(mx, us)
    print(
        f"\nkill -9 trials={trials} killed_after_progress={killed_mid} "
        f"lost={tally.lost} duplicated={tally.duplicated} entries={tally.entries}"
    )
    return tally


def test_kill_during_sync_loses_and_duplicates_nothing(make_node: Callable[..., Node]) -> None:
    tally = run_trials(make_node, trials=4, seed=7)
    assert (tally.lost, tally.extra, tally.duplicated) == (0, 0, 0)
    assert tally.entries > 0


@pytest.mark.slow
@pytest.mark.timeout(3600)  # 100 trials outlast the suite's 600 s per test
def test_kill_100_trials(make_node: Callable[..., Node]) -> None:
    tally = run_trials(make_node, trials=100, seed=2025)
    assert (tally.lost, tally.extra, tally.duplicated) == (0, 0, 0)


def _descendants(pid: int) -> set[int]:
    """Processes started (transitively) by ``pid``, read from /proc."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except FileNotFoundError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children") as fh:
                    kids = [int(k) for k in fh.read().split()]
            except FileNotFoundError:
                continue
            todo.extend(k for k in kids if k not in found)
            found.update(kids)
    return found


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="reads /proc")
def test_a_killed_sync_takes_its_check_workers_with_it(make_node: Callable[..., Node]) -> None:
    # Pages of 1,000 entries are checked in worker processes (a fork server and its
    # workers): killing the sync mid-apply must leave none of them behind, and the
    # next sync still ends with nothing lost or duplicated.
    mx, us = make_node("MX"), make_node("US")
    port = free_port()
    link(mx, us, port)
    put(mx, [person(f"p{i}", f"Persona {i}") for i in range(4000)], marks(mx, rel_to=["USA"]))
    with serving(mx, port):
        proc = subprocess.Popen(
            puente(us, "sync", "MEX", "--page", "1000"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        helpers: set[int] = set()
        deadline = time.monotonic() + 120
        while cursor_of(us) == 0 and proc.poll() is None and time.monotonic() < deadline:
            helpers |= _descendants(proc.pid)
            time.sleep(0.01)
        helpers |= _descendants(proc.pid)
        proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate()
        assert proc.returncode in (0, -signal.SIGKILL), err.decode()
        assert helpers, "the sync started no worker processes"
        deadline = time.monotonic() + 60
        while any(_running(p) for p in helpers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [p for p in helpers if _running(p)]
        done = subprocess.run(puente(us, "sync", "MEX", "--json"), capture_output=True, timeout=300)
        assert done.returncode == 0, done.stderr.decode()
    tally = check(mx, us)
    assert (tally.lost, tally.extra, tally.duplicated, tally.entries) == (0, 0, 0, 4000)
