"""The scheduled evaluation ``puente serve`` runs: a round evaluates the node's own
computed indicators that are due, the next round finds nothing due, and stopping ends
the thread."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import func, select

from puente.coordinate import indicators, scheduler
from puente.node import Node
from puente.store.tables import coordinate_evaluations
from tests.coordinate.helpers import SEC


def _runs(node: Node) -> int:
    with node.read() as conn:
        return int(conn.execute(select(func.count()).select_from(coordinate_evaluations)).scalar())


def test_scheduler_evaluates_what_is_due_then_stops(node: Node) -> None:
    indicators.create_indicator(
        node, SEC, code="SENT", name_es="Enviadas", name_en="Sent", unit="n",
        kind="computed", evaluator="trace_requests_sent", periodicity="monthly",
        direction="increase",
    )  # fmt: skip
    handle = scheduler.start(node, interval=0.05, every=timedelta(hours=1))
    deadline = time.monotonic() + 60
    while handle.rounds < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    handle.stop()
    assert handle.rounds >= 3
    assert _runs(node) == 2  # this period and the last, once: later rounds found nothing due
    assert handle._thread is not None and not handle._thread.is_alive()
