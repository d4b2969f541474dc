"""Helpers for resolution tests: write people straight into a node's store."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from puente.model.record import validate_entity
from puente.node import Node
from puente.store import records

PEOPLE: list[dict[str, Any]] = [
    # the man, three ways, plus a nickname and a swapped date of birth
    {
        "id": "us-dealer-1",
        "schema": "Person",
        "properties": {
            "name": ["JOSE LUIS RAMIREZ"],
            "birthDate": ["1979-03-04"],
            "idNumber": ["D1234567"],
        },
    },
    {
        "id": "mx-seizure-1",
        "schema": "Person",
        "properties": {
            "name": ["José Luis Ramírez Ochoa alias El Güero"],
            "birthDate": ["1979-03-04"],
            "nationality": ["mx"],
            "phone": ["+52 55 1234 5678"],
        },
    },
    {
        "id": "us-border-1",
        "schema": "Person",
        "properties": {
            "name": ["J. L. Ramirez-Ochoa"],
            "birthDate": ["1979-04-03"],
            "phone": ["(55) 1234-5678"],
        },
    },
    {
        "id": "mx-report-2",
        "schema": "Person",
        "properties": {
            "name": ["Pepe Luis Ramírez Ochoa"],
            "birthDate": ["1979"],
            "idNumber": ["DI234S67"],
        },
    },
    # different people sharing a common surname
    {
        "id": "mx-other-1",
        "schema": "Person",
        "properties": {"name": ["María García López"], "birthDate": ["1990-11-20"]},
    },
    {
        "id": "us-other-2",
        "schema": "Person",
        "properties": {
            "name": ["ROBERT GARCIA"],
            "birthDate": ["1965-01-15"],
            "idNumber": ["X9988776"],
        },
    },
    {
        "id": "mx-other-3",
        "schema": "Person",
        "properties": {"name": ["Ana Martínez Ruiz"], "birthDate": ["1985-06-30"]},
    },
    {
        "id": "fa-1",
        "schema": "Firearm",
        "properties": {
            "make": ["Colt"],
            "model": ["M4"],
            "serialNumber": ["LE0123456"],
            "caliber": ["5.56"],
        },
    },
    {
        "id": "fa-2",
        "schema": "Firearm",
        "properties": {
            "make": ["COLT"],
            "model": ["M4"],
            "serialNumber": ["LEO12345"],
            "caliber": ["5.56"],
        },
    },
]


def write(node: Node, entities: Sequence[dict[str, Any]], origin: str | None = None) -> None:
    batch = []
    for data in entities:
        rid, schema, props, problems = validate_entity(data)
        assert not problems, problems
        batch.append(records.prepare(rid, schema, props, node.default_markings))
    with node.write() as conn:
        records.write_batch(conn, batch, origin=origin or node.country, actor="test")


@pytest.fixture
def people_node(node: Node) -> Node:
    write(node, PEOPLE)
    return node


WriteFn = Callable[[Node, Sequence[dict[str, Any]]], None]
