"""Two (or three) nodes that know each other, talking through in-process HTTP clients."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from puente.api import create_app
from puente.exchange.pull import SyncReport, sync
from puente.model.markings import Markings
from puente.node import Node
from puente.store import records
from puente.store.partners import add_partner
from puente.store.tables import records as records_t

URL = "http://testserver"


def connect(*nodes: Node) -> None:
    """Register every node as every other node's partner."""
    for a in nodes:
        with a.write() as conn:
            for b in nodes:
                if b is not a:
                    add_partner(conn, b.country, URL, b.public_key)


def client(node: Node) -> TestClient:
    return TestClient(create_app(node), base_url=URL)


def pull(node: Node, source: Node, **kwargs: Any) -> SyncReport:
    """``node`` pulls ``source``'s feed over HTTP (in-process)."""
    with client(source) as http:
        return sync(node, source.country, client=http, **kwargs)


def marks(node: Node, **changes: Any) -> Markings:
    base = {
        "classification": "restricted",
        "rel_to": [],
        "handling": "H0",
        "source_reliability": "B",
        "info_credibility": "2",
    }
    base.update(changes)
    return Markings.parse(base, originator=node.country)


def person(rid: str, name: str, **props: list[str]) -> tuple[str, str, dict[str, list[str]]]:
    return rid, "Person", {"name": [name], **props}


def put(
    node: Node,
    items: Iterable[tuple[str, str, dict[str, list[str]]]],
    markings: Markings | Callable[[str], Markings],
    origin: str | None = None,
) -> None:
    batch = [
        records.prepare(rid, schema, props, markings(rid) if callable(markings) else markings)
        for rid, schema, props in items
    ]
    with node.write() as conn:
        records.write_batch(conn, batch, origin=origin or node.country, actor="test")


def held(node: Node, origin: str | None = None) -> dict[str, dict[str, Any]]:
    """Records held by ``node`` (optionally only copies from ``origin``)."""
    query = select(records_t.c.id, records_t.c.properties, records_t.c.origin)
    if origin:
        query = query.where(records_t.c.origin == origin)
    with node.read() as conn:
        return {
            r.id: {"properties": json.loads(r.properties), "origin": r.origin}
            for r in conn.execute(query)
        }


class _Recording:
    """The real check pool, counting the pages handed to it."""

    def __init__(self, pool: Any) -> None:
        self.pool, self.pages = pool, 0

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        self.pages += 1
        return self.pool.submit(fn, *args, **kwargs)


def check_pages_in(monkeypatch: Any, where: str) -> _Recording | None:
    """Make every page of a pull be checked in worker processes (``where ==
    "worker-processes"``: the real pool, started first, counting its pages) or in
    threads (``"threads"``)."""
    from puente import workers
    from puente.exchange import pull as pull_module

    if where == "threads":
        monkeypatch.setattr(pull_module, "POOL_MIN", 10**9)
        return None
    monkeypatch.setattr(pull_module, "POOL_MIN", 1)
    recording = _Recording(workers.pool(pull_module.WORKERS, pull_module.PRELOAD))
    monkeypatch.setattr(workers, "running", lambda *a: recording)
    return recording
