"""Property: over random markings, partner sets and sync orders, no record ever reaches a
node it is not released to — directly or passed on — and no withheld field crosses.

Four nodes (MEX, USA, GTM, CAN), all partners of each other. Each example writes records
on random nodes with random releasability, originator control and withheld fields,
re-marks some, and runs random pulls between random pairs; after every pull, every copy
anywhere must be justified by some version of its owner's markings.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from puente.exchange.pull import sync
from puente.node import Node, init_node
from puente.store.tables import record_versions, records
from tests.conftest import pg_database
from tests.exchange.helpers import client, connect, marks, person, put

CODES = ("MEX", "USA", "GTM", "CAN")
_ids = itertools.count()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    base: Path = tmp_path_factory.mktemp("world")
    dbs = [pg_database() for _ in CODES] if request.param == "postgres" else []
    urls = [next(gen) for gen in dbs] or [""] * len(CODES)
    nodes = {c: init_node(base / c, c, db_url=u) for c, u in zip(CODES, urls, strict=True)}
    connect(*nodes.values())
    clients = {c: client(n) for c, n in nodes.items()}
    yield {"nodes": nodes, "clients": clients}
    for n in nodes.values():
        n.close()
    for gen in dbs:
        for _ in gen:
            pass


record_spec = st.fixed_dictionaries(
    {
        "owner": st.sampled_from(CODES),
        "rel": st.sets(st.sampled_from(CODES)),
        "orcon": st.booleans(),
        "withheld": st.sets(st.sampled_from(["birthDate", "idNumber"])),
        "remark": st.none() | st.sets(st.sampled_from(CODES)),
    }
)
pulls = st.lists(st.tuples(st.sampled_from(CODES), st.sampled_from(CODES)), max_size=12)


def _versions(node: Node, rid: str) -> list[dict[str, Any]]:
    with node.read() as conn:
        return [
            json.loads(m)
            for (m,) in conn.execute(
                select(record_versions.c.markings).where(record_versions.c.id == rid)
            )
        ]


def _check(nodes: dict[str, Node], owners: dict[str, str]) -> None:
    for here, node in nodes.items():
        with node.read() as conn:
            rows = conn.execute(
                select(
                    records.c.id, records.c.properties, records.c.markings, records.c.origin
                ).where(records.c.origin != here)
            ).all()
        for rid, props_text, marks_text, origin in rows:
            base = rid.split(":")[-1]
            if base not in owners:
                continue  # a record of another example
            owner = owners[base]
            copy_marks = json.loads(marks_text)
            props = json.loads(props_text)
            assert here in copy_marks["rel_to"], (rid, here)
            assert not set(copy_marks.get("withheld", [])) & set(props), (rid, here)
            direct = origin == owner
            justified = [
                v
                for v in _versions(nodes[owner], base)
                if here in v["rel_to"] and (direct or not v["originator_control"])
            ]
            assert justified, f"{rid} reached {here} via {origin} without release by {owner}"


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=st.lists(record_spec, min_size=1, max_size=8), order=pulls)
def test_no_record_reaches_a_node_it_is_not_released_to(
    world: dict[str, Any], specs: list[dict[str, Any]], order: list[tuple[str, str]]
) -> None:
    nodes: dict[str, Node] = world["nodes"]
    clients: dict[str, TestClient] = world["clients"]
    owners: dict[str, str] = {}
    for spec in specs:
        rid = f"h{next(_ids)}"
        owner = spec["owner"]
        owners[rid] = owner
        item = person(rid, f"Name {rid}", birthDate=["1990-01-01"], idNumber=[f"ID-{rid}"])
        rel = sorted(spec["rel"] - {owner})
        put(
            nodes[owner],
            [item],
            marks(
                nodes[owner],
                rel_to=rel,
                originator_control=spec["orcon"],
                withheld=sorted(spec["withheld"]),
            ),
        )
        spec["item"] = item
    steps = list(order)
    half = len(steps) // 2
    for i, (puller, source) in enumerate(steps):
        if i == half:  # owners change their minds half-way through
            for spec in specs:
                if spec["remark"] is not None:
                    owner = spec["owner"]
                    put(
                        nodes[owner],
                        [spec["item"]],
                        marks(
                            nodes[owner],
                            rel_to=sorted(spec["remark"] - {owner}),
                            originator_control=spec["orcon"],
                        ),
                    )
        if puller != source:
            sync(nodes[puller], source, client=clients[source])
            _check(nodes, owners)
    _check(nodes, owners)
