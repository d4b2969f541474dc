"""Helpers for network tests: write marked records straight into a node's store and
act as users of a given clearance."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from puente.model.markings import Markings, vocabulary
from puente.model.record import validate_entity
from puente.node import Node
from puente.store import records
from puente.store.users import User

LEVELS = vocabulary().levels


def marks(
    classification: str = "restricted", rel_to: Sequence[str] = (), origin: str = "MEX"
) -> Markings:
    return Markings.parse(
        {
            "classification": classification,
            "rel_to": list(rel_to),
            "handling": "H0",
            "source_reliability": "B",
            "info_credibility": "2",
        },
        originator=origin,
    )


def entity(rid: str, schema: str, **props: str | list[str]) -> dict[str, Any]:
    return {
        "id": rid,
        "schema": schema,
        "properties": {k: v if isinstance(v, list) else [v] for k, v in props.items()},
    }


def write(
    node: Node,
    items: Sequence[dict[str, Any]],
    *,
    classification: str = "restricted",
    origin: str | None = None,
) -> None:
    """Validate and store ``items`` (FtM dicts; a ``"classification"`` key overrides)."""
    origin = origin or node.country
    batch = []
    for item in items:
        rid, schema, props, problems = validate_entity(
            {k: v for k, v in item.items() if k != "classification"}
        )
        assert not problems, problems
        level = item.get("classification", classification)
        batch.append(records.prepare(rid, schema, props, marks(level, origin=origin)))
    with node.write() as conn:
        records.write_batch(conn, batch, origin=origin, actor="test")


def user(
    clearance: str = "secret", roles: tuple[str, ...] = ("analyst",), name: str = "ana"
) -> User:
    return User(name, roles, LEVELS[clearance], "en")


def marked(item: dict[str, Any], classification: str) -> dict[str, Any]:
    """``item`` stored at ``classification`` instead of the default."""
    return {**item, "classification": classification}


def person(rid: str, name: str, **props: str | list[str]) -> dict[str, Any]:
    return entity(rid, "Person", name=name, **props)


def call(rid: str, a: str, b: str, date: str = "2023-01-01", **extra: Any) -> dict[str, Any]:
    return {**entity(rid, "Call", caller=a, receiver=b, date=date), **extra}
