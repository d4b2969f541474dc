"""Graph build on both backends: clearance, resolution clusters, shared attributes,
received copies and incremental refresh from the change feed."""

from __future__ import annotations

from puente.network import derive
from puente.network.load import build_graph
from puente.network.service import graph_for
from puente.node import Node
from puente.store import db
from puente.store.tables import resolve_clusters
from tests.network.conftest import LEVELS, call, entity, marked, person, user, write


def _pairs(node: Node, clearance: str) -> set[tuple[str, str, str]]:
    g = graph_for(node, user(clearance))
    return {(e.source, e.target, e.kind) for e in g.edge_list()}


def test_clearance_hides_edges_and_entities_above_it(node: Node) -> None:
    write(node, [person("a", "Ana"), person("b", "Beto"),
                 marked(person("s", "Sara"), "secret"),
                 call("c1", "a", "b"),
                 call("c2", "a", "s"),
                 marked(call("c3", "b", "a"), "confidential")])  # fmt: skip
    assert _pairs(node, "restricted") == {("a", "b", "call")}
    conf = graph_for(node, user("confidential"))
    assert len(conf.edges) == 2 and set(conf.ids) == {"a", "b"}
    assert _pairs(node, "secret") == {("a", "b", "call"), ("b", "a", "call"), ("a", "s", "call")}
    assert graph_for(node, user("public")).n == 0


def test_clusters_merge_records_into_one_entity(node: Node) -> None:
    write(node, [person("a1", "Ana"), person("a2", "ANA R."), person("b", "Beto"),
                 person("c", "Ceci"), call("c1", "a1", "b"), call("c2", "a2", "c")])  # fmt: skip
    assert graph_for(node, user()).n == 4
    with node.write() as conn:
        db.upsert(conn, resolve_clusters, [
            {"record_id": "a1", "cluster_id": "Eana", "grp": "Person"},
            {"record_id": "a2", "cluster_id": "Eana", "grp": "Person"},
        ], ["record_id"])  # fmt: skip
    g = graph_for(node, user())
    assert set(g.ids) == {"Eana", "b", "c"}
    assert g.entity("Eana").records == ("a1", "a2")
    assert g.simple.degree(g.index["Eana"]) == 2


def test_shared_phone_links_entities_once_both_are_visible(node: Node) -> None:
    write(node, [person("a", "Ana", phone="+52 55 1234 5678"),
                 person("b", "Beto", phone="(55) 1234-5678"),
                 marked(person("c", "Ceci", phone="044 55 1234 5678"), "secret")])  # fmt: skip
    assert _pairs(node, "restricted") == {("a", "b", "shared_phone")}
    assert len(_pairs(node, "secret")) == 3


def test_common_values_link_nobody(node: Node) -> None:
    # one address held by more entities than max_holders (6) is a shelter, not a tie
    write(node, [person(f"p{i}", f"P {i}", address="Calle 1, Centro") for i in range(8)])
    assert graph_for(node, user()).n == 0


def test_received_copies_link_in_their_senders_namespace(node: Node) -> None:
    write(node, [person("USA:us-1", "John"), person("USA:us-2", "Jim"),
                 entity("USA:pay-1", "Payment", payer="us-1", beneficiary="us-2",
                        date="2024-01-05")], origin="USA")  # fmt: skip
    assert _pairs(node, "secret") == {("USA:us-1", "USA:us-2", "payment")}


def test_refresh_reads_only_changed_records(node: Node) -> None:
    write(node, [person("a", "Ana"), person("b", "Beto"), call("c1", "a", "b")])
    first = derive.refresh(node)
    assert first.full and first.edges == 1
    write(node, [person("c", "Ceci"), call("c2", "b", "c")])
    again = derive.refresh(node)
    assert not again.full and again.records == 2 and again.edges == 1
    assert derive.refresh(node).records == 0
    with node.read() as conn:
        g = build_graph(conn, LEVELS["secret"])
    assert set(g.ids) == {"a", "b", "c"}
    # a changed record replaces its edges: the call now goes to someone else
    write(node, [person("d", "Dora"), call("c2", "b", "d")])
    assert _pairs(node, "secret") == {("a", "b", "call"), ("b", "d", "call")}
