"""The real 2020 cartel networks load through the ingest path and analyse sensibly."""

from __future__ import annotations

from pathlib import Path

import pytest

from puente.errors import InvalidFile
from puente.network import service
from puente.network.cartels import load_cartels
from puente.node import Node
from tests.conftest import SHARED
from tests.network.conftest import user

DATA = SHARED / "data" / "mexico-cartels-2020"
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason="shared cartel data not present")


def test_cartels_load_once_and_analyse(node: Node) -> None:
    reports = load_cartels(node, DATA, actor="ana")
    assert [(r.file, r.created) for r in reports] == [
        ("BACRIM2020_Nodes.csv", 150), ("BACRIM2020_Alliances.csv", 130),
        ("BACRIM2020_Rivals.csv", 127),
    ]  # fmt: skip
    again = load_cartels(node, DATA, actor="ana")
    assert sum(r.created + r.changed for r in again) == 0 and sum(r.unchanged for r in again) == 407
    u = user("public")  # the open-source data is marked public
    players = service.key_players(node, u, k=3, top=10)
    top = [r["caption"] for r in players["centrality"]]
    assert "Cártel Jalisco Nueva Generación (CJNG)" in top[:3]
    assert "Cártel de Sinaloa" in top
    allies = service.communities(node, u, service.Filters(kinds=("alliance",)))
    cjng = next(c for c in allies["items"]
                if "Cártel Jalisco Nueva Generación (CJNG)" in {m["caption"] for m in c["members"]})  # fmt: skip
    assert "Los Cuinis" in {m["caption"] for m in cjng["members"]}  # its closest ally (weight 6)
    rivals = service.path(node, u, "bacrim-n10025", "bacrim-n10013", service.Filters(("rivalry",)))
    assert rivals["paths"][0]["hops"] == 1  # CJNG and Sinaloa are direct rivals


def test_a_file_missing_a_column_is_refused(node: Node, tmp_path: Path) -> None:
    for f in DATA.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    (tmp_path / "BACRIM2020_Rivals.csv").write_text("Edge,Node\nE1,N10001\n", "utf-8")
    with pytest.raises(InvalidFile) as err:
        load_cartels(node, tmp_path, actor="ana")
    assert err.value.problems[0].field == "RNode"
