"""Large loads prepare rows in worker processes: same records, problems and rejects as
the inline path, in file order."""

from __future__ import annotations

import json
import os
import select
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from puente.errors import InvalidFile
from puente.ingest import load_file
from puente.node import Node

MARKS = {
    "classification": "restricted",
    "handling": "H0",
    "source_reliability": "B",
    "info_credibility": "2",
}


def mixed_file(path: Path, n: int) -> Path:
    """Valid persons, with bad rows spread over several chunks: an impossible date, an
    unknown property, a broken line, bad markings, a same-content duplicate and an id
    reused with other content."""
    lines = []
    for i in range(n):
        props: dict[str, list[str]] = {"name": [f"Persona {i}"], "birthDate": ["1980-01-02"]}
        if i % 997 == 5:
            props["birthDate"] = ["1980-02-30"]
        if i % 1499 == 7:
            props["colour"] = ["red"]
        row = {"id": f"p{i}", "schema": "Person", "properties": props, "markings": MARKS}
        if i % 1201 == 9:
            row["markings"] = {"classification": "ultra"}
        lines.append(json.dumps(row))
        if i % 1103 == 3:
            lines.append("{not json")
        if i % 1301 == 11:
            lines.append(json.dumps(row))  # same content again: one record
        if i % 1409 == 13:
            lines.append(json.dumps({**row, "properties": {"name": ["Otra"]}}))
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def stored(node: Node) -> list[tuple[str, str, int]]:
    with node.read() as conn:
        rows = conn.execute(text("SELECT id, content_hash, version FROM records ORDER BY id"))
        return [tuple(r) for r in rows]


def test_workers_give_what_the_inline_path_gives(
    make_node: Callable[..., Node], tmp_path: Path
) -> None:
    path = mixed_file(tmp_path / "mixed.jsonl", 5000)
    inline, pooled = make_node("MX", name="inline"), make_node("MX", name="pooled")
    a = load_file(inline, path, skip_invalid=True, workers=0)
    rejects_inline = Path(a.rejects_file or "").read_text("utf-8")
    b = load_file(pooled, path, skip_invalid=True, workers=1)
    rejects_pooled = Path(b.rejects_file or "").read_text("utf-8")
    assert a.rejected > 10 and a.created > 4000
    da, db_ = a.to_dict(), b.to_dict()
    for d in (da, db_):
        d.pop("load_id")
    assert da == db_
    assert rejects_inline == rejects_pooled
    assert stored(inline) == stored(pooled)
    lines = [p["line"] for p in da["problems"]]
    assert lines == sorted(lines)  # problems come back in file order


def test_an_invalid_large_file_writes_nothing_with_workers(node: Node, tmp_path: Path) -> None:
    path = mixed_file(tmp_path / "mixed.jsonl", 3000)
    with pytest.raises(InvalidFile) as info:
        load_file(node, path, workers=1)
    assert len(info.value.problems) > 5
    assert stored(node) == []


def test_workers_hold_none_of_the_loaders_descriptors(node: Node, tmp_path: Path) -> None:
    """A pipe the loading process holds reaches end-of-file once the loader closes its
    write end, workers alive or not: they are not forked from the loader (a worker that
    inherited the write end kept Playwright's driver from ever exiting in CI)."""
    read_end, write_end = os.pipe()
    try:
        load_file(node, mixed_file(tmp_path / "mixed.jsonl", 3000), skip_invalid=True, workers=1)
        os.close(write_end)
        ready, _, _ = select.select([read_end], [], [], 10.0)
        assert ready and os.read(read_end, 1) == b""
    finally:
        os.close(read_end)
