"""The API and CLI over the tracing workflow, on SQLite and PostgreSQL: roles, errors
mapped to their statuses, a partner that cannot be reached leaves the request ``sent``
and a later refresh delivers it; the CLI renders status, results, inbound items and
indicators."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from puente.api import create_app
from puente.cli.main import app as cli_app
from puente.node import Node
from puente.store.users import SYSTEM, add_user, create_token
from puente.trace import inbound, requests
from tests.trace.helpers import item, two_nodes


def _token(node: Node, name: str, roles: tuple[str, ...]) -> dict[str, str]:
    with node.write() as conn:
        add_user(conn, name, "a-long-enough-password", list(roles), "secret", "en")
        return {"Authorization": f"Bearer {create_token(conn, name, 't', 1)}"}


def test_api_request_while_partner_unreachable_then_delivered(
    make_node: Callable[..., Node],
) -> None:
    mx, us, us_http = two_nodes(make_node)
    analyst, viewer = _token(mx, "ana", ("analyst",)), _token(mx, "sec", ("secretariat",))
    api = TestClient(create_app(mx))  # its partner URL answers nothing
    body = {"partner": "US", "items": [item("Colt", "LE10345")], "seizure": "S-1"}
    assert api.post("/trace/requests", json=body, headers=viewer).status_code == 403
    bad = api.post("/trace/requests", json={**body, "items": [{"firearm": {}}]}, headers=analyst)
    assert bad.status_code == 422 and bad.json()["problems"]
    sent = api.post("/trace/requests", json=body, headers=analyst)
    assert sent.status_code == 200 and sent.json()["status"] == "sent"
    rid = sent.json()["request"]
    assert api.get(f"/trace/requests/{rid}", headers=analyst).json()["status"] == "sent"
    assert api.get("/trace/requests/MEX-T-00000000000000", headers=analyst).status_code == 404
    unreachable = api.get(f"/trace/requests/{rid}/results?refresh=true", headers=analyst)
    assert unreachable.status_code == 502
    view = requests.refresh(mx, SYSTEM, rid, http=us_http)  # resent, then results read
    assert view["status"] == "received"
    inbound.process(us, SYSTEM)
    assert requests.refresh(mx, SYSTEM, rid, http=us_http)["status"] == "completed"
    got = api.get(f"/trace/requests/{rid}/results", headers=analyst).json()
    assert got["items"][0]["result"]["acquisition"] == "a1"
    ind = api.get("/trace/indicators", headers=viewer).json()
    assert ind["traced_share"] == 1.0 and ind["side"] == "out"


def test_cli_renders_the_workflow(make_node: Callable[..., Node], tmp_path: Path) -> None:
    mx, us, us_http = two_nodes(make_node)
    rid = requests.create(mx, SYSTEM, "USA", [item("Colt", "LE10345")], http=us_http)["request"]
    runner = CliRunner()

    def run(node: Node, *args: str, lang: str = "en", code: int = 0) -> str:
        base = ["--node", str(node.settings.node_dir), "--lang", lang]
        if node.settings.db_url:
            base += ["--db-url", node.settings.db_url]
        result = runner.invoke(cli_app, [*base, "trace", *args], env={"COLUMNS": "200"})
        assert result.exit_code == code, result.output
        return result.output

    assert "MEX" in run(us, "inbound") and "received" in run(us, "inbound")
    assert "1 items processed" in run(us, "process")
    requests.refresh(mx, SYSTEM, rid, http=us_http)
    assert "completed" in run(mx, "status", rid)
    out = run(mx, "results", rid)
    assert "Border Tactical LLC" in out and "held by the owner" in out
    ind = json.loads(run(mx, "indicators", "--json"))
    assert ind["time_to_crime"]["median_days"] == 451
    assert "No existe la solicitud" in run(mx, "status", "NO-SUCH", lang="es", code=5)
    edges = [json.loads(line) for line in run(us, "chains").splitlines() if line.strip()]
    assert {"sold_to", "bought", "recovered_in"} <= {e["kind"] for e in edges}
