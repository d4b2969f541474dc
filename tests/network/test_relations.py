"""``relations.extract``: what edges and shared attributes each kind of record makes."""

from __future__ import annotations

from puente.network.relations import extract, is_edge_schema, relations


def test_call_payment_and_acquisition_edges() -> None:
    edges, attrs = extract(
        "c1", "Call",
        {"caller": ["a"], "receiver": ["b"], "date": ["2023-05-01"],
         "callerNumber": ["+52 55 1234 5678"]},
        "MEX", "MEX",
    )  # fmt: skip
    assert [(e.source, e.target, e.kind, e.directed, e.date) for e in edges] == [
        ("a", "b", "call", True, "2023-05-01")
    ]
    assert [(a.entity_ref, a.kind, a.value) for a in attrs] == [("a", "phone", "T5512345678")]
    edges, _ = extract(
        "q1", "Acquisition",
        {"purchaser": ["p"], "dealer": ["d"], "firearm": ["g1", "g2"], "date": ["2022-02-02"]},
        "USA", "USA",
    )  # fmt: skip
    assert sorted((e.source, e.target, e.kind) for e in edges) == [
        ("d", "p", "sale"), ("p", "g1", "purchase"), ("p", "g2", "purchase")
    ]  # fmt: skip


def test_pairwise_rules_and_received_copies_use_local_ids() -> None:
    # a seizure from two possessors: each holds each gun, and they are linked together
    edges, _ = extract(
        "USA:s1", "Recovery",
        {"possessor": ["x", "y"], "items": ["g"], "date": ["2024-01-01"]}, "USA", "MEX",
    )  # fmt: skip
    got = sorted((e.source, e.target, e.kind, e.directed) for e in edges)
    assert got == [
        ("USA:x", "USA:g", "seizure", True),
        ("USA:x", "USA:y", "seized_together", False),
        ("USA:y", "USA:g", "seizure", True),
    ]


def test_unknown_link_takes_kind_and_weight_from_properties() -> None:
    edges, _ = extract(
        "r1", "UnknownLink", {"subject": ["a"], "object": ["b"], "role": ["Alliance"],
                              "summary": ["6"]}, "MEX", "MEX",
    )  # fmt: skip
    assert [(e.kind, e.weight) for e in edges] == [("alliance", 6.0)]
    edges, _ = extract("r2", "UnknownLink", {"subject": ["a"], "object": ["b"]}, "MEX", "MEX")
    assert [(e.kind, e.weight) for e in edges] == [("association", 1.0)]


def test_joined_attributes_need_every_part() -> None:
    props = {"person": ["p1"], "date": ["2024-02-19"], "portOfEntry": ["Talismán"],
             "direction": ["northbound"]}  # fmt: skip
    _, attrs = extract("b1", "BorderCrossing", props, "MEX", "MEX")
    assert [(a.entity_ref, a.kind, a.value) for a in attrs] == [
        ("p1", "crossing", "2024 02 19|talisman|northbound")
    ]
    _, attrs = extract("b2", "BorderCrossing", {**props, "portOfEntry": []}, "MEX", "MEX")
    assert attrs == []


def test_entities_are_nodes_and_holders_of_attributes() -> None:
    assert is_edge_schema("Payment") and not is_edge_schema("Person")
    edges, attrs = extract(
        "p1", "Person", {"name": ["Ana"], "phone": ["(55) 1234-5678"],
                         "address": ["Calle 5, Col. Centro"]}, "MEX", "MEX",
    )  # fmt: skip
    assert edges == []
    assert {(a.kind, a.value) for a in attrs} == {
        ("phone", "T5512345678"), ("address", "calle 5 col centro")
    }  # fmt: skip
    assert relations().edge_kinds()["crossing"] == "crossed_together"
