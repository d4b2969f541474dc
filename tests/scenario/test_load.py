"""A 10k scenario loads cleanly into two fresh nodes (MX and US, partners of each other),
on SQLite and on PostgreSQL: every line becomes a record with the markings it carried."""

from __future__ import annotations

from collections.abc import Callable

from puente.ingest import load_file
from puente.node import Node
from puente.store import records
from puente.store.partners import add_partner
from puente.store.search import SearchQuery, search
from tests.scenario.conftest import Scenario


def test_scenario_loads_into_two_fresh_nodes(
    scenario: Scenario, make_node: Callable[..., Node]
) -> None:
    mx, us = make_node("MX"), make_node("US")
    with mx.write() as conn:
        add_partner(conn, "USA", "https://us.example", us.public_key)
    with us.write() as conn:
        add_partner(conn, "MEX", "https://mx.example", mx.public_key)
    for node, name in ((mx, "mx"), (us, "us")):
        expected = 0
        for path in sorted((scenario.out / name).glob("*.jsonl")):
            report = load_file(node, path)
            lines = scenario.manifest.counts[f"{name}/{path.name}"]
            assert (report.rows, report.created, report.rejected) == (lines, lines, 0)
            assert report.markings_source == {"file": lines}
            expected += lines
        with node.read() as conn:
            assert records.count(conn) == expected
    # markings travel as written: a record released to the partner says so in the store
    released = next(r for r in scenario.records("mx") if r["markings"]["rel_to"] == ["USA"])
    with mx.read() as conn:
        stored = records.get(conn, released["id"])
    assert stored.markings.rel_to == ("USA",) and stored.origin == "MEX"
    # the records are found by identifier: a CURP finds the person record that holds it
    holder = next(r for r in scenario.records("mx") if r["properties"].get("idNumber"))
    with mx.read() as conn:
        hits, _ = search(conn, SearchQuery(q=holder["properties"]["idNumber"][0]))
    assert holder["id"] in {hit.id for hit in hits}
