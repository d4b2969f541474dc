"""docs/network.md cannot drift: every relation kind and every command is documented."""

from __future__ import annotations

from pathlib import Path

from puente.cli.network import network_app
from puente.network.relations import describe, relations

DOC = (Path(__file__).resolve().parents[2] / "docs" / "network.md").read_text("utf-8")


def test_every_edge_kind_and_schema_is_documented() -> None:
    declared = describe()
    for schema, kinds in declared["edges"].items():
        assert schema in DOC, schema
        for kind in kinds:
            assert f"`{kind}`" in DOC, kind
    for kind in declared["attributes"].values():
        assert f"`{kind}`" in DOC, kind
    for kind in relations().commercial:
        assert f"`{kind}`" in DOC


def test_every_command_is_documented() -> None:
    names = [c.name for c in network_app.registered_commands]
    assert names and all(f"network {n}" in DOC for n in names), names
