"""CLI fixtures: ``cli`` runs ``puente --node DIR [--db-url URL] --lang en …`` in-process
(Typer's CliRunner) against the ``node`` fixture, so every CLI test runs on SQLite and
PostgreSQL. On PostgreSQL the URL is passed with ``--db-url``, as an operator would."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from puente.cli.main import app
from puente.node import Node
from puente.store import records


@dataclass
class Cli:
    node: Node
    runner: CliRunner

    @property
    def dir(self) -> Path:
        return self.node.settings.node_dir

    def __call__(
        self,
        *args: str,
        lang: str = "en",
        input: str | None = None,
        env: dict[str, str] | None = None,
    ) -> Result:
        base = ["--node", str(self.dir), "--lang", lang]
        if self.node.settings.db_url:
            base += ["--db-url", self.node.settings.db_url]
        return self.runner.invoke(
            app, [*base, *args], input=input, env={"COLUMNS": "200", **(env or {})}
        )

    def count(self) -> int:
        with self.node.read() as conn:
            return records.count(conn)


@pytest.fixture
def cli(node: Node) -> Cli:
    return Cli(node, CliRunner())


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, str):
        path.write_text(text, "utf-8")
    else:
        path.write_bytes(text)
    return path
