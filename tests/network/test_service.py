"""``network.service`` on both backends: what users get, what they may not see, what
is audited, and files other tools can read."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import igraph as ig
import pytest

from puente.errors import Forbidden, InvalidInput, NotFound
from puente.network import service, views
from puente.node import Node
from puente.store.audit import AuditLog
from tests.network.conftest import call, entity, marked, person, user, write

CELLS = [
    *(person(p, p.upper()) for p in ("a0", "a1", "a2", "b0", "b1", "b2", "k", "g1")),
    call("c1", "a0", "a1"), call("c2", "a1", "a2"), call("c3", "a0", "a2"),
    call("c4", "b0", "b1"), call("c5", "b1", "b2"), call("c6", "b0", "b2"),
    call("c7", "a2", "k", "2024-05-01"), call("c8", "k", "b0", "2024-05-02"),
    entity("buy", "Acquisition", purchaser="b2", firearm="g1", date="2023-03-03"),
    entity("seize", "Recovery", possessor="a0", items="g1", date="2024-06-01"),
    marked(person("s", "SECRET GUY"), "secret"),
    marked(call("c9", "s", "k"), "secret"),
]  # fmt: skip


def _actions(node: Node) -> list[str]:
    with node.read() as conn:
        return [e["action"] for e in AuditLog(b"x").entries(conn, limit=1000)]


def test_communities_are_stable_and_audited(node: Node) -> None:
    write(node, CELLS)
    first = service.communities(node, user())
    ids = {c["id"]: {m["id"] for m in c["members"]} for c in first["items"]}
    assert first["communities"] >= 2
    write(node, [person("a3", "A3"), call("c10", "a3", "a0"), call("c11", "a3", "a1")])
    again = service.communities(node, user())
    for cid, members in ids.items():
        if "a0" in members:
            grown = next(c for c in again["items"] if c["id"] == cid)
            assert {"a0", "a3"} <= {m["id"] for m in grown["members"]}
    assert _actions(node).count("network_communities") == 2


def test_key_players_name_the_broker(node: Node) -> None:
    write(node, CELLS)
    out = service.key_players(node, user("secret"), k=1)
    assert out["exact"] and out["centrality"][0]["id"] == "k"
    assert out["kpp_neg"]["members"] in (["k"], ["a2"], ["b0"])
    assert out["kpp_neg"]["fragmentation"][1] > out["kpp_neg"]["fragmentation"][0]
    assert len(out["kpp_pos"]["members"]) == 1


def test_path_reaches_a_seizure_through_the_gun(node: Node) -> None:
    write(node, CELLS)
    out = service.path(node, user(), "b1", "seize")
    (p,) = out["paths"]
    assert p["entities"][0]["id"] == "b1" and p["hops"] == 2
    assert {e["kind"] for e in p["edges"]} <= {"call", "purchase"}
    two = service.path(node, user(), "a0", "b0", k=3)["paths"]
    assert [q["hops"] for q in two] == sorted(q["hops"] for q in two) and len(two) >= 2


def test_nothing_above_clearance_is_found_or_shown(node: Node) -> None:
    write(node, CELLS)
    low = user("restricted")
    with pytest.raises(NotFound):
        service.path(node, low, "s", "k")
    with pytest.raises(NotFound):
        views.neighbours(node, low, "nobody-at-all")
    doc = views.neighbours(node, low, "k", hops=3)
    assert "s" not in {n["id"] for n in doc["nodes"]}
    assert doc["banner"].startswith("RESTRICTED")
    high = views.neighbours(node, user("secret"), "k", hops=1)
    assert "s" in {n["id"] for n in high["nodes"]} and high["banner"].startswith("SECRET")


def test_neighbours_json_is_what_the_link_chart_reads(node: Node) -> None:
    write(node, CELLS)
    doc = views.neighbours(node, user(), "k", service.Filters(since="2024"), hops=1)
    assert doc["focus"] == ["k"] and set(doc["kinds"]) == {"call"}
    assert {n["id"] for n in doc["nodes"]} == {"k", "a2", "b0"}
    node0 = doc["nodes"][0]
    assert set(node0) >= {"id", "caption", "schema", "classification", "degree", "community"}
    assert {e["date"][:4] for e in doc["edges"]} == {"2024"}


def test_roles_and_bad_input_are_refused(node: Node) -> None:
    write(node, CELLS)
    with pytest.raises(Forbidden):
        service.communities(node, user(roles=("secretariat",)))
    with pytest.raises(InvalidInput):
        service.path(node, user(), "a0\x00", "k")
    with pytest.raises(InvalidInput):
        service.communities(node, user(), service.Filters(since="last week"))
    with pytest.raises(InvalidInput):
        views.export(node, user(), "pdf")
    with pytest.raises(InvalidInput):
        service.whatif(node, user(), [])


def test_whatif_and_change_over_time(node: Node) -> None:
    write(node, CELLS)
    out = service.whatif(node, user(), ["k", "g1"])  # the broker, and the gun both held
    assert out["before"]["components"] == 1 and out["after"]["components"] == 3  # a, b, s
    moved = service.over_time(node, user(), at="2024-04-01", days=90)
    assert "k" in [r["id"] for r in moved["rose"]]


def test_exports_are_readable_by_other_tools(node: Node, tmp_path: Path) -> None:
    write(node, CELLS)
    u = user("confidential")
    graphml = tmp_path / "n.graphml"
    graphml.write_bytes(views.export(node, u, "graphml"))
    g = ig.Graph.Read_GraphML(str(graphml))
    assert g.vcount() == 8 and g.ecount() == 10  # 8 calls, the purchase, the seizure
    assert "s" not in g.vs["id"] and set(g.es["kind"]) >= {"call", "purchase", "seizure"}
    gexf = ET.fromstring(views.export(node, u, "gexf"))
    ns = {"g": "http://gexf.net/1.3"}
    assert len(gexf.findall(".//g:node", ns)) == 8 and len(gexf.findall(".//g:edge", ns)) == 10
    assert gexf.find(".//g:description", ns).text.startswith("RESTRICTED")  # type: ignore[union-attr]
    text = views.export(node, u, "csv").decode()
    assert text.startswith("# RESTRICTED")
    rows = list(csv.DictReader(io.StringIO(text.split("\n", 1)[1])))
    assert len(rows) == 10 and rows[0]["classification"] == "restricted"
    lines = [json.loads(x) for x in views.export(node, u, "ftm").splitlines()]
    by_id = {x["id"]: x for x in lines}
    assert by_id["seize"]["properties"]["possessor"] == ["a0"] and "markings" in by_id["a0"]
    doc = json.loads(views.export(node, u, "json", focus="k", hops=1))
    assert {n["id"] for n in doc["nodes"]} == {"k", "a2", "b0"}
    assert _actions(node).count("network_export") == 5
