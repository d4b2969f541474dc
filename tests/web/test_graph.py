"""The link chart's graph (``puente.web.graph``), analytics and GraphML on both
backends: links both ways, FtM edges collapsed, received copies in their sender's
namespace, and nothing above the viewer's clearance — neither a node nor an edge."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from puente.node import Node
from puente.store import users as user_store
from puente.store.users import User
from puente.web import analysis
from puente.web.graph import AccessGraph, Subgraph, view
from puente.web.graphml import NS, to_graphml
from tests.exchange.helpers import marks, put


def viewer(node: Node, clearance: str) -> User:
    with node.write() as conn:
        return user_store.add_user(
            conn, f"v-{clearance}", "a-long-password", ["analyst"], clearance
        )


def world(node: Node) -> None:
    conf, secret = marks(node, classification="confidential"), marks(node, classification="secret")
    put(
        node,
        [
            ("p-ana", "Person", {"name": ["Ana Ruiz"]}),
            ("p-beto", "Person", {"name": ["Beto Paz"]}),
            ("o-acme", "Company", {"name": ["Acme SA"]}),
        ],
        conf,
    )
    put(node, [("p-sec", "Person", {"name": ["Sergio Secreto"]})], secret)
    put(
        node,
        [
            (
                "pay-1",
                "Payment",
                {"payer": ["p-ana"], "beneficiary": ["o-acme"], "date": ["2024-03-01"]},
            ),
            (
                "call-1",
                "Call",
                {"caller": ["p-ana"], "receiver": ["p-beto"], "date": ["2024-05-02"]},
            ),
        ],
        conf,
    )
    put(
        node,
        [
            (
                "pay-sec",
                "Payment",
                {"payer": ["p-beto"], "beneficiary": ["o-acme"], "date": ["2024-06-01"]},
            ),
            ("call-sec", "Call", {"caller": ["p-sec"], "receiver": ["p-ana"]}),
        ],
        secret,
    )
    usa = marks(node, classification="restricted")
    usa = usa.with_changes(originator="USA")
    put(node, [("USA:u-1", "Person", {"name": ["Carl Smith"]}),
               ("USA:u-own", "Ownership", {"owner": ["u-1"], "asset": ["u-2"]}),
               ("USA:u-2", "Vessel", {"name": ["Sea Star"]})], usa, origin="USA")  # fmt: skip


def test_neighbourhood_follows_links_both_ways_and_collapses_ftm_edges(node: Node) -> None:
    world(node)
    graph = AccessGraph(node, viewer(node, "secret")).expand(["p-ana"])
    assert set(graph.nodes) == {"p-ana", "p-beto", "o-acme", "p-sec", "call-1", "call-sec"}
    payment = graph.edges["pay-1|p-ana|o-acme"]  # Payment is an FtM edge: one edge
    assert (payment.source, payment.target, payment.relation, payment.date) == (
        "p-ana", "o-acme", "paid", "2024-03-01")  # fmt: skip
    assert graph.edges["call-1|caller|p-ana"].target == "p-ana"  # Call is a node with links
    assert "pay-1" not in graph.nodes


def test_nothing_above_clearance_becomes_a_node_or_an_edge(node: Node) -> None:
    world(node)
    source = AccessGraph(node, viewer(node, "confidential"))
    graph = source.expand(["p-ana", "p-beto", "o-acme"])
    assert not {"p-sec", "call-sec", "pay-sec"} & set(graph.nodes)
    assert all(e.record not in ("call-sec", "pay-sec") for e in graph.edges.values())
    assert all(m.level <= 2 for m in graph.markings())
    assert source.expand(["p-sec", "call-sec"]).nodes == {}
    data = to_graphml(graph).decode()
    assert "Secreto" not in data and "pay-sec" not in data and "call-sec" not in data


def test_received_copies_link_within_their_senders_namespace(node: Node) -> None:
    world(node)
    graph = AccessGraph(node, viewer(node, "confidential")).expand(["USA:u-1"])
    assert set(graph.nodes) == {"USA:u-1", "USA:u-2"}
    (edge,) = graph.edges.values()
    assert (edge.source, edge.target, edge.record) == ("USA:u-1", "USA:u-2", "USA:u-own")


def test_view_filters_relation_types_and_dates(node: Node) -> None:
    world(node)
    full = AccessGraph(node, viewer(node, "secret")).expand(["p-ana", "p-beto"])
    only_paid = view(full, relations=["paid"])
    assert {e.relation for e in only_paid.edges.values()} == {"paid"}
    assert set(only_paid.nodes) == {"p-ana", "p-beto", "o-acme"}
    spring = view(full, date_from="2024-04-01", date_to="2024-05-31", keep=["p-ana"])
    dated = {e.record for e in spring.edges.values() if e.date}
    assert dated == {"call-1"}


def test_analytics_find_brokers_communities_and_paths() -> None:
    # Two triangles joined through a broker "m".
    adj = {n: set() for n in "abcmxyz"}
    for u, v in ["ab", "bc", "ca", "cm", "mx", "xy", "yz", "zx"]:
        adj[u].add(v)
        adj[v].add(u)
    btw = analysis.betweenness(adj)
    assert max(btw, key=lambda n: btw[n]) == "m"
    assert btw["m"] == 9.0  # {a,b,c} x {x,y,z} all pass through m
    assert analysis.key_players(adj, top=1) == ["m"]
    groups = analysis.communities(adj)
    assert groups["a"] == groups["b"] == groups["c"] != groups["y"] == groups["z"]
    assert analysis.shortest_path(adj, "a", "z") in (["a", "c", "m", "x", "z"],)
    assert analysis.shortest_path(adj, "a", "q") == []


def test_find_path_reads_outward_until_both_ends_meet(node: Node) -> None:
    world(node)
    source = AccessGraph(node, viewer(node, "confidential"))
    sub = Subgraph()
    sub.merge(source.expand(["o-acme"]))
    path = analysis.find_path(source, sub, "o-acme", "p-beto")
    assert path == ["o-acme", "p-ana", "call-1", "p-beto"]


def test_graphml_is_valid_and_marked(node: Node) -> None:
    world(node)
    graph = AccessGraph(node, viewer(node, "confidential")).expand(["p-ana"])
    root = ET.fromstring(to_graphml(graph, "en", {"p-ana": {"community": "0"}}))
    g = root.find(f"{{{NS}}}graph")
    assert g is not None
    assert g.find(f"{{{NS}}}data").text == "CONFIDENTIAL // ONLY MEX"  # type: ignore[union-attr]
    assert len(g.findall(f"{{{NS}}}node")) == len(graph.nodes)
    assert len(g.findall(f"{{{NS}}}edge")) == len(graph.edges)
