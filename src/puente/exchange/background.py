"""Background exchange inside ``puente serve``: pull every partner's feed on a timer.

Wiring (one call): ``exchange.background.start(node)`` returns a handle whose ``stop()``
ends the loop; or use ``lifespan(node)`` as (part of) a FastAPI lifespan. The loop
itself holds no state: each round reads the partners and their cursors from the
database, so adding a partner, a restart or a crash changes nothing but timing.

Invariant: a failing partner never stops the loop or the node — an unreachable partner
is retried next round from its cursor; a rejected feed is audited (by ``pull.sync``)
and retried next round, where it is refused again until the partner fixes it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from puente.errors import PuenteError
from puente.exchange import feed
from puente.exchange.pull import SyncReport, sync
from puente.node import Node

log = logging.getLogger("puente.exchange")
INTERVAL = 30.0


@dataclass
class Background:
    node: Node
    interval: float = INTERVAL
    last: dict[str, SyncReport | str] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def round(self) -> None:
        """One pass: extend our outbound feeds, then pull from every partner."""
        for code in sorted(self.node.partners()):
            if self._stop.is_set():
                return
            try:
                feed.extend(self.node, code)
                self.last[code] = sync(self.node, code)
            except PuenteError as exc:
                self.last[code] = exc.key
                log.warning("exchange with %s: %s", code, exc)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.round()
            except Exception:  # keep the node serving whatever a round hits
                log.exception("exchange round failed")
            self._stop.wait(self.interval)

    def start(self) -> Background:
        self._thread = threading.Thread(target=self._run, name="puente-exchange", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)


def start(node: Node, interval: float = INTERVAL) -> Background:
    """Start the background exchange for ``node``; call ``.stop()`` on shutdown."""
    return Background(node, interval).start()


@asynccontextmanager
async def lifespan(node: Node, interval: float = INTERVAL) -> AsyncIterator[Background]:
    handle = start(node, interval)
    try:
        yield handle
    finally:
        handle.stop()
