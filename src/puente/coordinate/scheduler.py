"""Scheduled evaluation inside ``puente serve``: a daemon thread that runs
``evaluate.run_due`` every ``interval`` seconds.

Wiring (one call, where ``serve`` has the node): ``handle = scheduler.start(node)``;
``handle.stop()`` on shutdown. Invariant: the loop keeps no state of its own — what is
due is read from ``coordinate_evaluations`` each round — and a failing round is logged
and retried next round; it never stops the node.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import timedelta

from puente.coordinate.evaluate import run_due
from puente.node import Node

log = logging.getLogger("puente.coordinate")
INTERVAL = 600.0
EVERY = timedelta(hours=1)


@dataclass
class Scheduler:
    node: Node
    interval: float = INTERVAL
    every: timedelta = EVERY
    rounds: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def round(self) -> int:
        done = run_due(self.node, self.every)
        self.rounds += 1
        return len(done)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.round()
            except Exception:  # keep the node serving whatever a round hits
                log.exception("coordinate evaluation round failed")
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)


def start(node: Node, interval: float = INTERVAL, every: timedelta = EVERY) -> Scheduler:
    """Start evaluating due computed indicators in the background; returns the handle."""
    sched = Scheduler(node, interval, every)
    sched._thread = threading.Thread(target=sched._run, name="puente-coordinate", daemon=True)
    sched._thread.start()
    return sched
