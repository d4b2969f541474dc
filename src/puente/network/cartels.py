"""The real alliance and rivalry networks of 150 Mexican criminal groups (2020, open
sources; CentroGeo, GeoInt and DataLab, CONACYT), loaded through the normal ingest path.

The source CSVs (UTF-8 with a byte-order mark, never modified) are turned into FtM
JSON lines — one ``Organization`` per group (``bacrim-<node>``: name, short name as
alias, home state as address) and one ``UnknownLink`` per listed tie (``bacrim-<edge>``:
subject, object, role ``alliance`` or ``rivalry``, the tie's weight — the number of
states where it was observed — in ``summary``, which ``relations.yaml`` reads as the
edge weight) — and loaded with ``ingest.load_file``: validation, markings, one
transaction per file, the load recorded and audited. Each tie is listed in both
directions in the source, so it is two records; the analysis folds them into one edge.
Invariant: reloading the same files changes nothing (same ids, same content).
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from puente.errors import InvalidFile, InvalidInput, Problem
from puente.ingest.load import LoadReport, load_file
from puente.node import Node

NODES = "BACRIM2020_Nodes.csv"
TIES = {"BACRIM2020_Alliances.csv": "alliance", "BACRIM2020_Rivals.csv": "rivalry"}
MARKINGS: dict[str, Any] = {
    "classification": "public",
    "rel_to": [],
    "handling": "H0",
    "source_reliability": "C",
    "info_credibility": "3",
}


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    if not path.is_file():
        raise InvalidInput("error.no_file", file=str(path))
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            problem = Problem("network_missing_column", file=path.name, line=1, field=missing[0])
            raise InvalidFile([problem], file=path.name)
        for line, row in enumerate(reader, start=2):
            yield line, {k: (v or "").strip() for k, v in row.items() if k}


def groups(folder: Path) -> Iterator[dict[str, Any]]:
    for _, row in _rows(folder / NODES, ("Node", "Group", "State", "ShortName")):
        props: dict[str, list[str]] = {"name": [row["Group"]], "country": ["mx"]}
        if row["ShortName"] and row["ShortName"] != row["Group"]:
            props["alias"] = [row["ShortName"]]
        if row["State"]:
            props["address"] = [row["State"]]
        yield {"id": f"bacrim-{row['Node'].lower()}", "schema": "Organization", "properties": props}


def ties(folder: Path, name: str, kind: str) -> Iterator[dict[str, Any]]:
    for _, row in _rows(folder / name, ("Edge", "Node", "RNode", "weight")):
        props = {
            "subject": [f"bacrim-{row['Node'].lower()}"],
            "object": [f"bacrim-{row['RNode'].lower()}"],
            "role": [kind],
            "summary": [row["weight"]],
            "recordId": [row["Edge"]],
        }
        yield {"id": f"bacrim-{row['Edge'].lower()}", "schema": "UnknownLink", "properties": props}


def load_cartels(
    node: Node, folder: str | Path, *, actor: str, markings: dict[str, Any] | None = None
) -> list[LoadReport]:
    """Load the groups, then both tie files; each file is one load (all or nothing)."""
    folder = Path(folder)
    marks = markings or MARKINGS
    sources = [(NODES, list(groups(folder)))]
    sources += [(name, list(ties(folder, name, kind))) for name, kind in TIES.items()]
    reports = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, entities in sources:
            path = Path(tmp) / (Path(name).stem + ".jsonl")
            with path.open("w", encoding="utf-8") as fh:
                fh.write("\n")  # line n of the JSON lines is line n of the CSV (header)
                for e in entities:
                    fh.write(json.dumps(e, ensure_ascii=False) + "\n")
            reports.append(load_file(node, path, markings=marks, actor=actor, display_name=name))
    return reports
