"""Bad input to ``puente load``: a clear message naming file:line and field, a non-zero
exit, nothing written — and the node keeps working (a good file loads right after)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Cli, write

MAPPING = """
entities:
  buyer:
    schema: Person
    keys: [buyer_id]
    properties:
      name: {column: comprador}
      birthDate: {column: nacimiento, format: "%d/%m/%Y"}
"""
HEADER = "buyer_id,comprador,nacimiento\n"
MARKS = {
    "classification": "restricted",
    "handling": "H0",
    "source_reliability": "B",
    "info_credibility": "2",
}


def line(rid: str, name: str, marks: dict[str, object] | None = None, **props: str) -> str:
    item: dict[str, object] = {
        "id": rid,
        "schema": "Person",
        "properties": {"name": [name], **{k: [v] for k, v in props.items()}},
    }
    if marks is not None:
        item["markings"] = marks
    return json.dumps(item, ensure_ascii=False) + "\n"


GOOD = line("ok-1", "Rigoberto Salazar Quiñónez")

# (file name, content, expected "file:line field: reason" fragment)
CASES: dict[str, tuple[str, str | bytes, str]] = {
    "wrong_column_count": (
        "cols.csv",
        HEADER + "B-1,José Luis Hernández Ramírez,12/03/1988\nB-2,Claudia Ibáñez\n",
        "cols.csv:3: expected 3 columns, got 2",
    ),
    "bad_quoting": (
        "quotes.csv",
        HEADER + 'B-1,"Ramón "El Ingeniero" Beltrán",08/01/1979\n',
        "quotes.csv:2: malformed CSV",
    ),
    "impossible_csv_date": (
        "dates.csv",
        HEADER + "B-1,Juan Pablo Martínez Cárdenas,30/02/1996\n",
        "dates.csv:2 nacimiento → buyer.birthDate: impossible or malformed date 30/02/1996",
    ),
    "invalid_utf8": (
        "bytes.jsonl",
        GOOD.encode()
        + b'{"id": "x", "schema": "Person", "properties": {"name": ["N\xfa\xf1ez"]}}\n',
        "bytes.jsonl:2: invalid utf-8 bytes",
    ),
    "impossible_date": (
        "dates.jsonl",
        GOOD + line("p-2", "Érick Gómez Méndez", birthDate="1987-06-31"),
        "dates.jsonl:2 birthDate: impossible or malformed date 1987-06-31",
    ),
    "unknown_schema": (
        "schema.jsonl",
        '{"id": "g-1", "schema": "Pistola", "properties": {"make": ["Glock"]}}\n',
        "schema.jsonl:1 schema: unknown schema Pistola",
    ),
    "unknown_property": (
        "prop.jsonl",
        line("p-1", "Ana Sofía López Domínguez", colour="rojo"),
        "prop.jsonl:1 colour: unknown property for Person",
    ),
    "missing_required_marking": (
        "marks.jsonl",
        line("p-1", "Óscar Iván Núñez Zúñiga", {**MARKS, "info_credibility": ""}),
        "marks.jsonl:1 markings.info_credibility: this required marking is missing",
    ),
    "release_to_unknown_partner": (
        "rel.jsonl",
        GOOD + line("p-1", "María Guadalupe Treviño Garza", {**MARKS, "rel_to": ["GTM"]}),
        "rel.jsonl:2 markings: releases to an unknown partner GTM",
    ),
    "duplicate_id_different_content": (
        "dup.jsonl",
        line("p-1", "Jesús Alberto Sánchez Peña") + GOOD + line("p-1", "Jesus Sanchez"),
        "dup.jsonl:3 id: id p-1 already appeared at line 1 with different content",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_refused_whole_and_named(cli: Cli, tmp_path: Path, case: str) -> None:
    name, content, expected = CASES[case]
    path = write(tmp_path / name, content)
    args = ["--mapping", str(write(tmp_path / "m.yaml", MAPPING))] if name.endswith(".csv") else []
    audit_before = _audit_count(cli)
    result = cli("load", str(path), *args)
    assert result.exit_code == 3, result.output
    assert "nothing was written" in result.stderr
    assert expected in result.stderr, result.stderr
    assert cli.count() == 0
    assert _audit_count(cli) == audit_before  # not even a load entry
    # The node keeps working.
    ok = cli("load", str(write(tmp_path / "good.jsonl", GOOD)))
    assert ok.exit_code == 0, ok.output
    assert cli.count() == 1


def test_latin1_file_needs_its_encoding(cli: Cli, tmp_path: Path) -> None:
    path = write(
        tmp_path / "latin.csv",
        (HEADER + "B-1,Óscar Iván Núñez Zúñiga,02/11/1990\n").encode("latin-1"),
    )
    mapping = str(write(tmp_path / "m.yaml", MAPPING))
    refused = cli("load", str(path), "--mapping", mapping)
    assert refused.exit_code == 3
    assert "latin.csv:2: invalid utf-8 bytes" in refused.stderr
    assert "--encoding latin-1" in refused.stderr
    assert cli.count() == 0
    loaded = cli("load", str(path), "--mapping", mapping, "--encoding", "latin-1")
    assert loaded.exit_code == 0, loaded.output
    found = cli("search", "Núñez Zúñiga")
    assert "Óscar Iván Núñez Zúñiga" in found.stdout


def test_problems_are_reported_in_spanish(cli: Cli, tmp_path: Path) -> None:
    name, content, _ = CASES["wrong_column_count"]
    path = write(tmp_path / name, content)
    result = cli(
        "load", str(path), "--mapping", str(write(tmp_path / "m.yaml", MAPPING)), lang="es"
    )
    assert result.exit_code == 3
    assert "El archivo tiene 1 errores; no se escribió nada" in result.stderr
    assert "cols.csv:3: se esperaban 3 columnas, hay 2" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--classification", "ultra", "--handling", "H0", "--evaluation", "B2"], "ultra"),
        (["--classification", "secret", "--handling", "H0", "--evaluation", "B"], "--evaluation"),
        (
            [
                "--classification",
                "secret",
                "--handling",
                "H0",
                "--evaluation",
                "B2",
                "--rel-to",
                "GTM",
            ],
            "unknown partner: GTM",
        ),
        (["--encoding", "klingon"], "Unknown encoding: klingon"),
    ],
)
def test_bad_options_exit_non_zero_and_write_nothing(
    cli: Cli, tmp_path: Path, args: list[str], message: str
) -> None:
    result = cli("load", str(write(tmp_path / "good.jsonl", GOOD)), *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert cli.count() == 0


def test_missing_file_and_csv_without_mapping(cli: Cli, tmp_path: Path) -> None:
    missing = cli("load", str(tmp_path / "nope.jsonl"))
    assert missing.exit_code == 2 and "No such file" in missing.stderr
    csv = cli("load", str(write(tmp_path / "a.csv", HEADER)))
    assert csv.exit_code == 2 and "give its column mapping with --mapping" in csv.stderr


def _audit_count(cli: Cli) -> int:
    with cli.node.read() as conn:
        return cli.node.audit.verify(conn)[0]
