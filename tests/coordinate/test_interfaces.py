"""The API and the CLI over the coordination package: a partner's commitment is refused
with 403 / a non-zero exit, a revised figure keeps both values, and ``puente coordinate
report --lang en --period 2026-Q1`` writes a PDF whose text is in English."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from pypdf import PdfReader
from typer.testing import CliRunner

from puente.api import create_app
from puente.cli.main import app
from puente.coordinate import framework
from puente.node import Node
from puente.store.users import add_user, create_token
from tests.coordinate.helpers import SEC, exchange, pair


def _token(node: Node, name: str, roles: list[str]) -> dict[str, str]:
    with node.write() as conn:
        add_user(conn, name, "correct horse battery", roles, "secret", "en")
        return {"Authorization": f"Bearer {create_token(conn, name, 'test', 1)}"}


def test_api_refuses_the_partners_commitment(make_node: Callable[..., Node]) -> None:
    mx, us = pair(make_node)
    goal = framework.create_item(mx, SEC, level="goal", title_es="Meta", title_en="Goal")
    exchange(mx, us)
    sec, analyst = _token(us, "sec.us", ["secretariat"]), _token(us, "ana.us", ["analyst"])
    with TestClient(create_app(us)) as http:
        got = http.get("/coordinate/framework", headers=analyst).json()
        assert [(i["id"], i["owner"]) for i in got["items"]] == [(f"MEX:{goal.id}", "MEX")]
        refused = http.patch(f"/coordinate/items/MEX:{goal.id}", headers=sec,
                             json={"status": "completed"})  # fmt: skip
        assert refused.status_code == 403 and "MEX" in refused.json()["message"]
        assert http.post("/coordinate/items", headers=analyst, json={
            "level": "goal", "title_es": "x", "title_en": "x"}).status_code == 403  # fmt: skip
        made = http.post("/coordinate/items", headers=sec, json={
            "level": "area", "parent": f"MEX:{goal.id}", "title_es": "Área",
            "title_en": "Area", "owners": ["USA:ATF"]})  # fmt: skip
        assert made.status_code == 200, made.text
        area = made.json()["id"]
        ok = http.patch(f"/coordinate/items/{area}", headers=sec,
                        json={"title_en": "Area (renamed)", "expected_version": 1})  # fmt: skip
        assert ok.status_code == 200 and ok.json()["version"] == 2
        stale = http.patch(f"/coordinate/items/{area}", headers=sec,
                           json={"title_en": "Again", "expected_version": 1})  # fmt: skip
        assert stale.status_code == 409
        history = http.get(f"/coordinate/items/{area}/history", headers=sec).json()
        assert history[1]["changes"]["titleEn"]["to"] == ["Area (renamed)"]
        ind = http.post("/coordinate/indicators", headers=sec, json={
            "code": "SEIZ", "name_es": "Aseguramientos", "name_en": "Seizures", "unit": "n",
            "kind": "reported", "periodicity": "quarterly", "direction": "increase"})  # fmt: skip
        assert ind.status_code == 200, ind.text
        url = f"/coordinate/indicators/{ind.json()['id']}/observations"
        one = http.post(url, headers=sec, json={"period": "2025-Q1", "value": 10,
                                                "as_of": "2025-04-02"}).json()  # fmt: skip
        two = http.post(url, headers=sec, json={"period": "2025-Q1", "value": 12,
                                                "as_of": "2025-05-02"}).json()  # fmt: skip
        assert two["supersedes"] == one["written"]
        listed = http.get("/coordinate/indicators", headers=sec).json()
        assert [s["value"] for s in listed[0]["series"]] == [12.0]
        bad = http.post(url, headers=sec, json={"period": "Q5", "value": 1, "as_of": "2025"})
        assert bad.status_code == 400
        pdf = http.get("/coordinate/report?period=2025-Q1&lang=es&format=pdf", headers=sec)
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        text = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
        assert "Informe de avance" in text


def test_cli_example_observe_and_report(make_node: Callable[..., Node], tmp_path: Path) -> None:
    node = make_node("US")
    runner = CliRunner()
    base = ["--node", str(node.settings.node_dir), "--lang", "en"]
    if node.settings.db_url:
        base += ["--db-url", node.settings.db_url]

    def run(*args: str) -> str:
        result = runner.invoke(app, [*base, *args], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        return result.output

    assert "USA: 17 items, 4 indicators" in run("coordinate", "example")
    assert "Answer trace requests within 30 days" in run("coordinate", "tree")
    first = run("coordinate", "observe", "SW-ENCOUNTERS", "--period", "2026-01", "--value",
                "5000", "--as-of", "2026-02-15", "--source", "CBP")  # fmt: skip
    again = run("coordinate", "observe", "SW-ENCOUNTERS", "--period", "2026-01", "--value",
                "5100", "--as-of", "2026-03-15", "--source", "CBP")  # fmt: skip
    assert "Value recorded: obs-ind-sw-encounters-2026-01-r1" in first
    assert "revises obs-ind-sw-encounters-2026-01-r1; both are kept" in again
    refused = runner.invoke(app, [*base, "coordinate", "status", "MEX:gi25-1", "completed"])
    assert refused.exit_code == 5  # not held here: NotFound
    pdf = tmp_path / "r.pdf"
    assert "Report written" in run("coordinate", "report", "--lang", "en", "--period",
                                   "2026-Q1", "--out", str(pdf))  # fmt: skip
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert "Implementation group progress report — 2026-Q1" in text
    assert "Answer trace requests within 30 days" in text
