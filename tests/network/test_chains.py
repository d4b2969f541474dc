"""Trafficking chains from tracing join the graph only between entities the user sees."""

from __future__ import annotations

import pytest

from puente.network import chains
from puente.network.service import graph_for
from puente.node import Node
from puente.store.users import User
from puente.trace.chains import ChainEdge
from tests.network.conftest import user, write
from tests.network.test_service import CELLS

CHAIN = [
    ChainEdge("b1", "seize", "bought", "2023-01-02", ("trace:r1/1",), "MEX"),
    ChainEdge("s", "k", "held_by", "2024-01-01", ("trace:r1/2",), "MEX"),
    ChainEdge("trace:r1/1", "k", "recovered_in", "2024-01-01", ("trace:r1/1",), "MEX"),
]


@pytest.fixture(autouse=True)
def traced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chains, "trafficking_chains", lambda node, who: CHAIN)


def _trace_edges(node: Node, who: User) -> set[tuple[str, str, str]]:
    g = graph_for(node, who)
    return {(e.source, e.target, e.kind) for e in g.edge_list() if e.kind.startswith("trace_")}


def test_chain_edges_link_visible_entities_only(node: Node) -> None:
    write(node, CELLS)
    # the seizure record stands for its ends (the possessor and the gun)
    assert _trace_edges(node, user("confidential")) == {
        ("b1", "a0", "trace_bought"),
        ("b1", "g1", "trace_bought"),
    }
    assert ("s", "k", "trace_held_by") in _trace_edges(node, user("secret"))
    assert _trace_edges(node, user("secret", roles=("releasing_officer",))) == set()
