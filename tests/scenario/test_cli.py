"""``puente scenario generate``: writes the world, says what it wrote, refuses misuse with
a bilingual message and the conflict exit code."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from puente.cli.main import app
from puente.scenario import Manifest


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
