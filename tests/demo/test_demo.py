"""The two-node demo: built on both backends, idempotent, partners of each other, with
example data that tells one coherent story and loads without a single rejected row."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from puente.cli.main import app
from puente.demo import SPECS, Demo, build_demo, data_dir
from puente.model.normalize import identifier_key
from puente.store import records
from puente.store.partners import list_partners
from puente.store.tables import records as records_table
from puente.store.users import authenticate, user_for_token
from tests.conftest import pg_database


@pytest.fixture
def db_urls(backend: str) -> Iterator[tuple[str | None, str | None]]:
    """No URLs on SQLite (each node's own file); two fresh databases on PostgreSQL."""
    if not backend:
        yield (None, None)
        return
    second = pg_database()
    try:
        yield (backend, next(second))
    finally:
        for _ in second:
            pass


@pytest.fixture
def demo(tmp_path: Path, db_urls: tuple[str | None, str | None]) -> Iterator[Demo]:
    built = build_demo(tmp_path / "demo", ports=(18701, 18702), db_urls=db_urls)
    yield built
    built.close()


def test_two_partner_nodes_with_users_and_data(demo: Demo) -> None:
    mx, us = demo.nodes
    assert (mx.country, us.country) == ("MEX", "USA")
    for item, peer, port in ((mx, us, 18702), (us, mx, 18701)):
        with item.node.read() as conn:
            (partner,) = list_partners(conn)
        assert partner.code == peer.country
        assert partner.public_key == peer.node.public_key
        assert partner.url == f"http://127.0.0.1:{port}"
        assert all(r.rejected == 0 for r in item.reports)
        # Some records may go to the partner, most may not.
        assert 0 < item.releasable < item.records / 2
    assert (mx.records, us.records) == (51, 67)
    for user in demo.users:
        node = mx.node if user.node == "MEX" else us.node
        with node.read() as conn:
            assert authenticate(conn, user.username, user.password).username == user.username
            assert user_for_token(conn, user.token).username == user.username
    saved = json.loads((demo.directory / "credentials.json").read_text("utf-8"))
    assert len(saved["users"]) == 4
    assert (demo.directory / "credentials.json").stat().st_mode & 0o077 == 0


def test_rerun_reuses_everything(demo: Demo, db_urls: tuple[str | None, str | None]) -> None:
    demo.close()
    again = build_demo(demo.directory, ports=(18711, 18712), db_urls=db_urls)
    try:
        assert [n.created for n in again.nodes] == [False, False]
        assert [n.records for n in again.nodes] == [n.records for n in demo.nodes]
        for item in again.nodes:
            assert sum(r.created + r.changed for r in item.reports) == 0
        assert [u.password for u in again.users] == [u.password for u in demo.users]
        with again.nodes[0].node.read() as conn:
            (partner,) = list_partners(conn)
        assert partner.url == "http://127.0.0.1:18712"  # follows the new port
    finally:
        again.close()


def test_every_seized_us_gun_traces_to_a_us_acquisition(demo: Demo) -> None:
    """The story holds: each gun Mexico seized with a full US-market serial has a Form
    4473 sale in the US node (serials written differently on each side)."""
    mx, us = demo.nodes
    with mx.node.read() as conn:
        seized = [r for r in _all(conn) if r.schema == "Firearm"]
    with us.node.read() as conn:
        sold = {
            identifier_key(s)
            for r in _all(conn)
            if r.schema == "Firearm"
            for s in r.properties["serialNumber"]
        }
        bought = {
            f for r in _all(conn) if r.schema == "Acquisition" for f in r.properties["firearm"]
        }
    full = [
        g
        for g in seized
        if g.properties["make"][0] not in ("Taurus",) and len(g.properties["serialNumber"][0]) > 6
    ]
    assert len(full) >= 5
    for gun in full:
        assert identifier_key(gun.properties["serialNumber"][0]) in sold, gun.id
    assert len(bought) == 15


def test_mexican_names_have_two_surnames_and_accents() -> None:
    people = [
        json.loads(line)
        for line in (data_dir() / "mx" / "personas.jsonl").read_text("utf-8").splitlines()
    ]
    named = [p for p in people if "fatherName" in p["properties"]]
    assert len(named) >= 8
    assert all("motherName" in p["properties"] for p in named)
    assert sum(any(c in p["properties"]["name"][0] for c in "áéíóúñÁÉÍÓÚÑ") for p in named) >= 6


def test_example_schemata_cover_the_domain() -> None:
    schemata: set[str] = set()
    for spec in SPECS:
        for name, _mapping in spec.files:
            if name.endswith(".jsonl"):
                lines = (data_dir() / spec.folder / name).read_text("utf-8").splitlines()
                schemata.update(json.loads(line)["schema"] for line in lines)
            elif name.endswith(".json"):
                items = json.loads((data_dir() / spec.folder / name).read_text("utf-8"))
                schemata.update(i["schema"] for i in items)
    assert {
        "Firearm",
        "Recovery",
        "BorderCrossing",
        "Interdiction",
        "Person",
        "Call",
        "Payment",
        "Vessel",
        "Vehicle",
        "Organization",
    } <= schemata


def test_cli_demo_no_serve(tmp_path: Path) -> None:
    runner = CliRunner()
    args = [
        "--lang",
        "es",
        "demo",
        "--dir",
        str(tmp_path / "d"),
        "--no-serve",
        "--ports",
        "18721,18722",
    ]
    first = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert first.exit_code == 0, first.output
    out = first.stdout
    assert (
        "Nodo MEX (México — demo) creado" in out and "Nodo USA (United States — demo) creado" in out
    )
    assert "Total: 51 registros, 16 liberables a USA" in out
    assert "analista.mx (analyst, confidential) · contraseña " in out
    assert "La historia:" in out and "The story:" in out  # both languages
    assert "Nodos listos en" in out
    second = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert second.exit_code == 0, second.output
    assert "Nodo MEX (México — demo) reutilizado" in second.stdout
    assert "personas.jsonl: 20 filas, 0 registros escritos, 20 sin cambios" in second.stdout
    bad = runner.invoke(app, ["demo", "--dir", str(tmp_path / "x"), "--ports", "1,1", "--no-serve"])
    assert bad.exit_code == 2 and not (tmp_path / "x").exists()


def _all(conn: object) -> list[records.Record]:
    from sqlalchemy import Connection

    assert isinstance(conn, Connection)
    ids = [r[0] for r in conn.execute(select(records_table.c.id))]
    return list(records.get_many(conn, ids).values())


def test_cli_demo_refuses_one_shared_database(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["--lang", "en", "demo", "--dir", str(tmp_path / "d"), "--no-serve"],
        env={"PUENTE_DB_URL": "postgresql://postgres@127.0.0.1:5432/shared", "COLUMNS": "200"},
    )
    assert result.exit_code == 2
    assert "needs two databases" in result.stderr and "--db-urls MX_URL,US_URL" in result.stderr
    assert not (tmp_path / "d").exists()
