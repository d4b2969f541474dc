"""One 10k-record scenario generated once per test session, and readers for its files."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest

from puente.scenario import Manifest, generate

SIZE = 10_000
SEED = 7


@dataclass
class Scenario:
    out: Path
    manifest: Manifest
    _cache: dict[str, Any] = field(default_factory=dict)

    def records(self, node: str) -> Iterator[dict[str, Any]]:
        for path in sorted((self.out / node).glob("*.jsonl")):
            with path.open(encoding="utf-8") as fh:
                for line in fh:
                    yield json.loads(line)

    @cached_property
    def by_id(self) -> dict[str, dict[str, Any]]:
        return {r["id"]: r for node in ("mx", "us") for r in self.records(node)}

    def truth(self, name: str) -> list[dict[str, str]]:
        if name not in self._cache:
            with (self.out / "truth" / f"{name}.csv").open(encoding="utf-8") as fh:
                self._cache[name] = list(csv.DictReader(fh))
        rows: list[dict[str, str]] = self._cache[name]
        return rows

    @cached_property
    def people(self) -> dict[str, dict[str, str]]:
        return {row["person_id"]: row for row in self.truth("people")}


@pytest.fixture(scope="session")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    out = tmp_path_factory.mktemp("scenario") / "world"
    return Scenario(out, generate(out, SIZE, SEED))
