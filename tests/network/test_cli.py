"""``puente network …`` renders the service's answers and writes exports."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from puente.cli.main import app
from puente.node import Node
from tests.network.conftest import write
from tests.network.test_service import CELLS

runner = CliRunner()


def _run(node: Node, *args: str) -> str:
    result = runner.invoke(app, ["--node", str(_dir(node)), "--lang", "en", *args],
                           env={"PUENTE_DB_URL": _url(node)})  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.output


def _dir(node: Node) -> Path:
    return node.settings.node_dir


def _url(node: Node) -> str:
    url = node.engine.url
    return "" if url.drivername.startswith("sqlite") else url.render_as_string(hide_password=False)


def test_cli_commands(node: Node, tmp_path: Path) -> None:
    write(node, CELLS)
    assert "communities of 2 or more" in _run(node, "network", "communities")
    out = _run(node, "network", "key-players", "--k", "1")
    assert "KPP-Neg" in out and "K (k)" in out
    assert "B1 (b1) → B2 (b2) → G1 (g1)" in _run(node, "network", "path", "b1", "seize")
    doc = json.loads(_run(node, "network", "neighbours", "k", "--hops", "1", "--json"))
    assert {n["id"] for n in doc["nodes"]} == {"k", "a2", "b0", "s"}  # system sees secret
    cut = _run(node, "network", "whatif", "--remove", "k,g1")
    assert "Cut off from the main component: 4" in cut  # one cell and the secret contact
    target = tmp_path / "n.graphml"
    assert "Exported graphml" in _run(node, "network", "export", "--format", "graphml",
                                      "--out", str(target))  # fmt: skip
    assert target.read_bytes().startswith(b"<?xml")
