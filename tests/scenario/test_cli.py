"""``puente scenario generate``: writes the world, says what it wrote, refuses misuse with
a bilingual message and the conflict exit code; its messages and parameters cannot drift
from the catalogue and the document."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import yaml
from typer.testing import CliRunner

import puente.i18n
from puente.cli.main import app
from puente.scenario import Manifest, Params
from puente.scenario.names import NameHabits
from puente.scenario.people import RecordHabits

SRC = Path(puente.i18n.__file__).parents[1]


def _run(*args: str, lang: str = "en") -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--lang", lang, "scenario", "generate", *args])
    return result.exit_code, result.stdout, result.stderr


def test_generate_writes_and_reports(tmp_path: Path) -> None:
    out = tmp_path / "w"
    code, stdout, _ = _run("--size", "1500", "--seed", "4", "--out", str(out))
    assert code == 0
    manifest = Manifest.read(out)
    assert (manifest.size, manifest.seed) == (1500, 4)
    assert f"{manifest.records} records (seed 4)" in stdout
    assert f"mx/persons.jsonl: {manifest.counts['mx/persons.jsonl']} records" in stdout
    assert "Planted networks: 2 arms, 2 drugs, 2 migrant smuggling" in stdout


def test_generate_refuses_a_used_directory_and_a_bad_size(tmp_path: Path) -> None:
    out = tmp_path / "w"
    assert _run("--size", "1000", "--out", str(out))[0] == 0
    code, _, stderr = _run("--size", "1000", "--out", str(out), lang="es")
    assert code == 7 and "no está vacío" in stderr and "--force" in stderr
    assert _run("--size", "1000", "--seed", "2", "--out", str(out), "--force")[0] == 0
    assert Manifest.read(out).seed == 2
    code, _, stderr = _run("--size", "5", "--out", str(tmp_path / "x"))
    assert code == 2 and "out of range" in stderr


def test_every_message_is_bilingual_and_every_key_used_exists() -> None:
    catalogue = yaml.safe_load(
        (Path(puente.i18n.__file__).parent / "scenario.yaml").read_text("utf-8")
    )
    assert all(set(texts) == {"es", "en"} for texts in catalogue.values())
    used: set[str] = set()
    for module in (SRC / "scenario").glob("*.py"), [SRC / "cli" / "scenario.py"]:
        for path in module:
            used |= set(re.findall(r'"(scenario\.[a-z_]+)"', path.read_text("utf-8")))
    assert used and used <= set(catalogue)


def test_every_parameter_is_documented() -> None:
    doc = (SRC.parents[1] / "docs" / "scenario.md").read_text("utf-8")
    for cls in (Params, RecordHabits, NameHabits):
        for f in fields(cls):
            assert f"`{f.name}`" in doc, (cls.__name__, f.name)
