"""``puente load``: each format, markings precedence reported, reloads write nothing."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from puente.store import records
from puente.store.partners import add_partner
from tests.cli.conftest import Cli, write
from tests.mappings import acquisition_mapping

US_KEY = "dVRNPfRgtgmIr1fv1llf3By9XfRGm9vNve4tRe/OFTU="

MAPPING = acquisition_mapping(handling="H1", reliability="A")

CSV = (
    "folio,buyer_id,comprador,nacimiento,marca,serie,fecha\n"
    "F-1,B-1,Óscar Iván Núñez Zúñiga,02/11/1990,Barrett,AA004417,2024-11-04\n"
    "F-2,B-2,María Guadalupe Treviño Garza,19/05/1985,Cugir,1-AB2937-21,2024-12-02\n"
)


def person(rid: str, name: str, marks: dict[str, object] | None = None) -> dict[str, object]:
    item: dict[str, object] = {"id": rid, "schema": "Person", "properties": {"name": [name]}}
    if marks is not None:
        item["markings"] = marks
    return item


FILE_MARKS = {
    "classification": "confidential",
    "handling": "H2",
    "source_reliability": "B",
    "info_credibility": "2",
}


def jsonl(path: Path, *items: dict[str, object]) -> Path:
    return write(path, "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items))


def test_csv_with_mapping_loads_and_says_which_markings_applied(cli: Cli, tmp_path: Path) -> None:
    data = write(tmp_path / "compras.csv", CSV)
    mapping = write(tmp_path / "compras.yaml", MAPPING)
    result = cli("load", str(data), "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    assert "compras.csv: 2 rows read; 6 new records" in result.stdout
    assert "Markings from the file or mapping applied to 2 rows" in result.stdout
    assert cli.count() == 6
    with cli.node.read() as conn:
        buyer = records.get(conn, f"mex-buyer-{hashlib.sha1(b'B-1').hexdigest()}")
    assert buyer.properties["birthDate"] == ["1990-11-02"]
    assert buyer.markings.classification == "confidential"


def test_jsonl_default_markings_are_named_with_their_banner(cli: Cli, tmp_path: Path) -> None:
    data = jsonl(
        tmp_path / "personas.jsonl",
        person("t-1", "José Luis Hernández Ramírez", FILE_MARKS),
        person("t-2", "Claudia Ibáñez Montoya"),
    )
    result = cli("load", str(data))
    assert result.exit_code == 0, result.output
    assert "Markings from the file or mapping applied to 1 rows" in result.stdout
    assert (
        "The node's default markings applied to 1 rows (none was given): RESTRICTED // ONLY MEX"
        in result.stdout
    )
    with cli.node.read() as conn:
        assert records.get(conn, "t-2").markings.classification == "restricted"
        assert records.get(conn, "t-1").markings.handling == "H2"


def test_ftm_json_array_with_command_line_markings(cli: Cli, tmp_path: Path) -> None:
    with cli.node.write() as conn:
        add_partner(conn, "US", "https://us.example", US_KEY)
    data = write(
        tmp_path / "export.json",
        json.dumps(
            [
                person("t-1", "Ramón Beltrán Ochoa", FILE_MARKS),
                {
                    "id": "t-gun",
                    "schema": "Firearm",
                    "properties": {"make": ["Barrett"], "serialNumber": ["AA004417"]},
                },
            ],
            ensure_ascii=False,
        ),
    )
    result = cli(
        "load",
        str(data),
        "--classification",
        "confidential",
        "--rel-to",
        "USA",
        "--handling",
        "H0",
        "--evaluation",
        "b2",
    )
    assert result.exit_code == 0, result.output
    assert "Command-line markings applied to 2 rows: CONFIDENTIAL // REL TO: MEX, USA" in (
        result.stdout
    )
    with cli.node.read() as conn:
        marks = records.get(conn, "t-1").markings  # the command line wins over the file
    assert (marks.rel_to, marks.handling, marks.evaluation) == (("USA",), "H0", "B2")


def test_loading_twice_creates_no_duplicates(cli: Cli, tmp_path: Path) -> None:
    data = write(tmp_path / "compras.csv", CSV)
    mapping = write(tmp_path / "compras.yaml", MAPPING)
    first = cli("load", str(data), "-m", str(mapping))
    second = cli("load", str(data), "-m", str(mapping))
    assert first.exit_code == second.exit_code == 0
    assert "0 new records, 0 changed, 6 unchanged" in second.stdout
    assert cli.count() == 6


def test_partial_command_line_marking_is_refused_naming_the_option(
    cli: Cli, tmp_path: Path
) -> None:
    data = jsonl(tmp_path / "p.jsonl", person("t-1", "Ana Sofía López Domínguez"))
    result = cli("load", str(data), "--classification", "secret", "--evaluation", "A1")
    assert result.exit_code == 2
    assert "--handling is missing" in result.stderr
    assert cli.count() == 0


def test_skip_invalid_writes_valid_rows_and_a_rejects_file(cli: Cli, tmp_path: Path) -> None:
    data = jsonl(
        tmp_path / "mixto.jsonl",
        person("t-1", "Érick Gómez Méndez"),
        {"id": "t-2", "schema": "Person", "properties": {"birthDate": ["1987-02-30"]}},
        person("t-3", "Jesús Alberto Sánchez Peña"),
    )
    result = cli("load", str(data), "--skip-invalid")
    assert result.exit_code == 0, result.output
    rejects = tmp_path / "mixto.jsonl.rejects.jsonl"
    assert f"1 rejected rows written to {rejects}" in result.stdout
    assert "mixto.jsonl:2 birthDate: impossible or malformed date 1987-02-30" in result.stderr
    assert cli.count() == 2
    entry = json.loads(rejects.read_text("utf-8"))
    assert entry["line"] == 2
    assert {p["field"] for p in entry["problems"]} == {"birthDate", "name"}


def test_report_in_spanish(cli: Cli, tmp_path: Path) -> None:
    data = jsonl(tmp_path / "p.jsonl", person("t-1", "Juan Pablo Martínez Cárdenas"))
    result = cli("load", str(data), lang="es")
    assert result.exit_code == 0, result.output
    assert "p.jsonl: 1 filas leídas; 1 registros nuevos" in result.stdout
    assert "Marcado por omisión del nodo aplicado a 1 filas" in result.stdout
    assert "RESERVADO // SOLO MEX" in result.stdout


def test_progress_bar_on_a_terminal_only(cli: Cli, tmp_path: Path) -> None:
    rows = [person(f"t-{i}", f"Persona Número {i}") for i in range(4500)]
    data = jsonl(tmp_path / "largo.jsonl", *rows)
    size_kb = f"{data.stat().st_size / 1000:.1f}"
    on_terminal = cli("load", str(data), env={"FORCE_COLOR": "1"})
    assert on_terminal.exit_code == 0, on_terminal.output
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", on_terminal.stderr)
    assert "largo.jsonl ━" in plain
    assert f"{size_kb}/{size_kb} kB" in plain  # the bar reaches the file's size
    piped = cli("load", str(data))
    assert piped.stderr == ""  # no bar when output is not a terminal
