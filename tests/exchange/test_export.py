"""Interop: what a partner may receive, as a STIX 2.1 bundle with TLP 2.0 markings and as
FtM JSON lines; nothing unreleasable and no withheld field is exported."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import stix2
from typer.testing import CliRunner

from puente.cli.main import app
from puente.exchange import export
from puente.model.ftm import get_model
from puente.node import Node
from tests.exchange.helpers import connect, marks, person, put


def test_stix_and_ftm_exports(make_node: Callable[..., Node], tmp_path: Path) -> None:
    mx, us = make_node("MX"), make_node("US")
    connect(mx, us)
    put(
        mx,
        [person("a", "Ana Ruiz", idNumber=["SECRET-ID"])],
        marks(mx, rel_to=["USA"], withheld=["idNumber"]),
    )
    put(
        mx,
        [("v", "Vessel", {"name": ["La Gaviota"], "imoNumber": ["IMO9074729"]})],
        marks(mx, rel_to=["USA"], classification="confidential"),
    )
    put(mx, [person("z", "Zeta Hidden")], marks(mx))
    runner = CliRunner()
    node_dir = str(mx.settings.node_dir)
    env = {"PUENTE_DB_URL": mx.settings.db_url} if mx.settings.db_url else {}
    out = tmp_path / "b.json"
    res = runner.invoke(
        app, ["--node", node_dir, "--lang", "en", "export", "stix", "US", "-o", str(out)], env=env
    )
    assert res.exit_code == 0, res.output
    bundle = stix2.parse(out.read_text(), allow_custom=True)
    objs = {o["type"]: o for o in bundle.objects if o["type"] != "marking-definition"}
    person_obj = next(o for o in bundle.objects if o.get("x_puente_schema") == "Person")
    assert person_obj["identity_class"] == "individual"
    assert export.TLP2["amber"] in person_obj["object_marking_refs"]
    vessel = objs["x-puente-record"]
    assert export.TLP2["amber+strict"] in vessel["object_marking_refs"]
    text = out.read_text()
    assert "SECRET-ID" not in text and "Zeta" not in text
    statements = [o for o in bundle.objects if o["type"] == "marking-definition"]
    assert any("REL TO" in s["definition"]["statement"] for s in statements)

    ftm_out = tmp_path / "r.ftm.json"
    res = runner.invoke(
        app, ["--node", node_dir, "export", "ftm", "USA", "-o", str(ftm_out)], env=env
    )
    assert res.exit_code == 0, res.output
    lines = [json.loads(line) for line in ftm_out.read_text().splitlines()]
    assert sorted(x["id"] for x in lines) == ["a", "v"]
    for data in lines:
        proxy = get_model().get_proxy(data)
        assert proxy.schema.name in ("Person", "Vessel")
    assert "SECRET-ID" not in ftm_out.read_text()
