from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from puente.errors import NotFound
from puente.node import Node
from puente.store import records
from tests.store.helpers import put

PERSON = {"id": "p1", "schema": "Person", "properties": {"name": ["Ana Pérez López"]}}


def test_versions_are_appended_and_unchanged_content_is_a_no_op(node: Node) -> None:
    assert put(node, PERSON).created == 1
    assert put(node, PERSON).unchanged == 1
    changed = {**PERSON, "properties": {"name": ["Ana Pérez López"], "alias": ["La Güera"]}}
    assert put(node, changed).changed == 1
    with node.read() as conn:
        versions = records.history(conn, "p1")
        current = records.get(conn, "p1")
        n_changes = conn.execute(text("SELECT COUNT(*) FROM changes")).scalar_one()
    assert [v["version"] for v in versions] == [1, 2]
    assert [v["operation"] for v in versions] == ["create", "update"]
    assert current.version == 2 and current.properties["alias"] == ["La Güera"]
    assert current.created_at == versions[0]["recorded_at"]
    assert n_changes == 2


def test_held_at_answers_what_the_node_held_on_a_date(node: Node) -> None:
    put(node, PERSON)
    with node.read() as conn:
        first = records.history(conn, "p1")[0]["recorded_at"]
    time.sleep(0.01)
    put(node, {**PERSON, "properties": {"name": ["Ana Pérez"]}})
    put(node, {"id": "p2", "schema": "Person", "properties": {"name": ["Luis"]}})
    with node.read() as conn:
        total_then, then = records.held_at(conn, first)
        total_now, now = records.held_at(conn, "2999-01-01")
        total_before, _ = records.held_at(conn, "2000-01-01")
    assert total_then == 1 and then[0]["properties"]["name"] == ["Ana Pérez López"]
    assert total_now == 2 and {r["id"] for r in now} == {"p1", "p2"}
    assert total_before == 0


def test_missing_record_is_not_found(node: Node) -> None:
    with node.read() as conn, pytest.raises(NotFound):
        records.get(conn, "nope")
