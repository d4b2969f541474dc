from __future__ import annotations

from typing import Any

from puente.model.markings import Markings
from puente.model.record import validate_entity
from puente.node import Node
from puente.store import records


def put(
    node: Node, entity: dict[str, Any], markings: Markings | None = None
) -> records.WriteCounts:
    rid, schema, props, problems = validate_entity(entity)
    assert not problems, problems
    prepared = records.prepare(rid, schema, props, markings or node.default_markings)
    with node.write() as conn:
        return records.write_batch(conn, [prepared], origin=node.country, actor="test")
