"""The acquisition index on SQLite and PostgreSQL: the first build (bulk, one
transaction) and the incremental refresh that follows the change feed give the same
rows and keys; a changed serial, a firearm added to an acquisition, a retraction and a
new acquisition are all re-derived; the batched hashing agrees with the look-up hash."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from puente.exchange.apply import purge_copies
from puente.node import Node
from puente.store.tables import trace_guns, trace_index_state, trace_keys
from puente.trace import index
from puente.trace.items import Firearm
from puente.trace.keys import key_hash, lookup_hashes, neighbourhood_hashes
from puente.trace.match import match
from puente.trace.serials import deletion_keys, fold
from tests.exchange.helpers import marks, put

Snapshot = set[tuple[Any, ...]]


def _gun(gid: str, serial: str, make: str = "Colt") -> tuple[str, str, dict[str, list[str]]]:
    return gid, "Firearm", {"make": [make], "serialNumber": [serial], "caliber": ["5.56x45mm"]}


def _acq(aid: str, guns: list[str], day: str = "2022-03-07") -> tuple[str, str, Any]:
    return (
        aid,
        "Acquisition",
        {"purchaser": ["p1"], "dealer": ["d1"], "date": [day], "firearm": guns},
    )


def _snapshot(node: Node) -> tuple[Snapshot, Snapshot]:
    """Rows and keys without the gun numbers (which depend on the order of derivation)."""
    with node.read() as conn:
        guns = {r.id: r for r in conn.execute(select(trace_guns)).all()}
        keys = conn.execute(select(trace_keys.c.h, trace_keys.c.gun)).all()
    rows = {
        (g.firearm_id, g.acquisition_id, g.make_key, g.serial_key, g.purchase_date)
        for g in guns.values()
    }
    return rows, {(h, guns[g].firearm_id, guns[g].acquisition_id) for h, g in keys}


def _rebuilt(node: Node) -> tuple[Snapshot, Snapshot]:
    with node.write() as conn:
        conn.execute(trace_index_state.delete())
    report = index.refresh(node)
    assert report.rebuilt
    return _snapshot(node)


def test_incremental_refresh_equals_a_rebuild(
    make_node: Callable[..., Node], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index, "BATCH", 2)  # the build streams several batches
    us = make_node("US")
    own = marks(us)
    put(us, [_gun("g1", "LE10345"), _gun("g2", "LE20999"), _gun("g3", "BXK512", "Glock")], own)
    put(us, [_acq("a1", ["g1", "g2"]), _acq("a2", ["g3"], "2021-05-03")], own)
    first = index.refresh(us)
    assert (first.rebuilt, first.acquisitions, first.guns) == (True, 2, 3)
    rows, _ = _snapshot(us)
    assert ("g1", "a1", "COLT", "1E10345", "2022-03-07") in rows
    # a changed serial, a firearm added to an acquisition, a new acquisition, copies
    put(us, [_gun("g1", "LE10346"), _gun("g4", "LE55555")], own)
    put(us, [_acq("a2", ["g3", "g4"], "2021-05-03"), _acq("a3", ["g2"], "2023-01-02")], own)
    put(us, [_gun("c1", "ZZ12345", "Ruger"), _acq("ca", ["c1"])], own, origin="CAN")
    step = index.refresh(us)
    assert not step.rebuilt and step.acquisitions == 4 and step.guns == 6
    incremental = _snapshot(us)
    assert incremental == _rebuilt(us)
    assert ("g1", "a1", "COLT", "1E10346", "2022-03-07") in incremental[0]
    # a retracted copy leaves the index with its keys
    with us.write() as conn:
        assert purge_copies(conn, "CAN", ["c1"]) == 1
    assert index.refresh(us).guns == 5
    incremental = _snapshot(us)
    assert not any(r[0] == "c1" for r in incremental[0])
    assert incremental == _rebuilt(us)
    with us.read() as conn:
        found = match(conn, Firearm(make="Colt", serial="LE1O346"), "2024-01-01")
    assert found.status == "completed" and found.best is not None
    assert found.best.gun["acquisition_id"] == "a1"


def test_batched_keys_are_the_lookup_keys() -> None:
    rng = random.Random(3)
    serials = ["", "7", "1234", "12345", "AAB12", "AAAAA", "LE1O345", "SCD-12 3456-7"]
    serials += [
        "".join(rng.choice("0123456789ABZ") for _ in range(rng.randint(0, 16))) for _ in range(500)
    ]
    keys = [fold(s) for s in serials]
    makes = [rng.choice(["COLT", "GLOCK", "SMITHWESSON"]) for _ in keys]
    hashes, rows = neighbourhood_hashes(makes, keys)
    got: dict[int, list[int]] = {}
    for h, r in zip(hashes.tolist(), rows.tolist(), strict=True):
        got.setdefault(r, []).append(h)
    for i, (make, key) in enumerate(zip(makes, keys, strict=True)):
        want = sorted(key_hash(make, k) for k in deletion_keys(key)) if key else []
        assert sorted(got.get(i, [])) == want, (make, key)
        if key:
            assert sorted(lookup_hashes(make, key)) == want
    assert key_hash("COLT", "1E12345") != key_hash("RUGER", "1E12345")
    assert key_hash("COLT", "1E12345") != key_hash("COLT", "1E12354")
