"""``puente search`` and ``puente record …``: reads go through ``access`` — clearance is
enforced for ``--as USER`` and sensitive reads are audited with the right actor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from puente.store.users import add_user
from tests.cli.conftest import Cli, write

CONF = {
    "classification": "confidential",
    "handling": "H2",
    "source_reliability": "B",
    "info_credibility": "2",
}
PUBLIC = {**CONF, "classification": "public"}


def entity(rid: str, schema: str, marks: dict[str, str], **props: str) -> str:
    item = {
        "id": rid,
        "schema": schema,
        "properties": {k: [v] for k, v in props.items()},
        "markings": marks,
    }
    return json.dumps(item, ensure_ascii=False) + "\n"


@pytest.fixture
def loaded(cli: Cli, tmp_path: Path) -> Cli:
    data = write(
        tmp_path / "datos.jsonl",
        entity("p-nunez", "Person", CONF, name="Óscar Iván Núñez Zúñiga", phone="+52 631 108 2290")
        + entity("p-trevino", "Person", PUBLIC, name="María Guadalupe Treviño Garza")
        + entity(
            "r-cln",
            "Recovery",
            CONF,
            date="2025-03-18",
            municipality="Culiacán",
            caseNumber="FED/SIN/CLN/0000871/2025",
        )
        + entity("r-hmo", "Recovery", PUBLIC, date="2025-02-27", municipality="Hermosillo"),
    )
    assert cli("load", str(data)).exit_code == 0
    with cli.node.write() as conn:
        add_user(conn, "beto", "contraseña-larga", ["analyst"], "restricted", "es")
    return cli


def test_search_by_name_phone_and_filters(loaded: Cli) -> None:
    by_name = loaded("search", "nunez zuniga")
    assert by_name.exit_code == 0
    assert "p-nunez" in by_name.stdout and "CONFIDENTIAL // ONLY MEX" in by_name.stdout
    by_phone = loaded("search", "6311082290")
    assert "p-nunez" in by_phone.stdout
    dated = loaded("search", "--schema", "Recovery", "--from", "2025-03-01", "--to", "2025-03-31")
    assert "r-cln" in dated.stdout and "r-hmo" not in dated.stdout
    public = loaded("search", "--classification", "public")
    assert "p-trevino" in public.stdout and "p-nunez" not in public.stdout
    none = loaded("search", "Beltrán Ochoa", lang="es")
    assert "Sin resultados para «Beltrán Ochoa»" in none.stdout


def test_search_as_user_is_clamped_and_audited(loaded: Cli) -> None:
    result = loaded("search", "--schema", "Person", "--as", "beto")
    assert "p-trevino" in result.stdout
    assert "p-nunez" not in result.stdout  # confidential > beto's clearance
    loaded("search", "Núñez")
    with loaded.node.read() as conn:
        entries = list(loaded.node.audit.entries(conn, action="search"))
    assert entries[-1]["actor"] == "system"
    assert entries[-1]["detail"]["ids"] == ["p-nunez"]


def test_record_show_history_and_denied_read(loaded: Cli, tmp_path: Path) -> None:
    shown = loaded("record", "show", "r-cln")
    assert shown.exit_code == 0
    assert "CONFIDENTIAL // ONLY MEX" in shown.stdout
    assert "FED/SIN/CLN/0000871/2025" in shown.stdout
    assert "Handling H2 · evaluation B2 · originator MEX" in shown.stdout
    denied = loaded("record", "show", "r-cln", "--as", "beto", lang="es")
    assert denied.exit_code == 6
    assert "Su habilitación no permite leer este registro" in denied.stderr
    missing = loaded("record", "show", "nope")
    assert missing.exit_code == 5 and "No such record: nope" in missing.stderr
    with loaded.node.read() as conn:
        actions = [(e["actor"], e["action"]) for e in loaded.node.audit.entries(conn)]
    assert ("system", "read") in actions and ("beto", "read_denied") in actions

    changed = write(
        tmp_path / "cambio.jsonl",
        entity("r-cln", "Recovery", CONF, date="2025-03-18", municipality="Culiacán Rosales"),
    )
    assert loaded("load", str(changed)).exit_code == 0
    history = loaded("record", "history", "r-cln")
    assert history.exit_code == 0
    rows = [ln for ln in history.stdout.splitlines() if "│ create" in ln or "│ update" in ln]
    assert len(rows) == 2 and "system" in rows[1]


def test_held_at(loaded: Cli) -> None:
    before = loaded("record", "held-at", "2000-01-01")
    assert before.exit_code == 0 and "held 0 records" in before.stdout
    now = loaded("record", "held-at", "2100-01-01", "--schema", "Recovery", "--as", "beto")
    assert "held 1 records" in now.stdout and "r-hmo" in now.stdout
    bad = loaded("record", "held-at", "ayer")
    assert bad.exit_code == 2 and "Invalid date: ayer" in bad.stderr


def test_unknown_user_for_as(loaded: Cli) -> None:
    result = loaded("search", "x", "--as", "mallory")
    assert result.exit_code == 5 and "No such user: mallory" in result.stderr
