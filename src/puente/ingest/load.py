"""Load a file into the node.

Guarantees (tested in ``tests/ingest``):
- every row is validated (encoding, structure, schema, properties, values, markings);
- any invalid row and no ``skip_invalid`` → nothing is written (one transaction, rolled
  back) and ``InvalidFile`` lists every problem with file, line, field and reason;
- with ``skip_invalid`` the valid rows are written and the invalid ones go, with their
  problems, to ``<file>.rejects.jsonl`` beside the input;
- the same id twice in one file with different content is a problem (which one is
  right cannot be guessed); with the same content it is one record;
- loading the same file again writes nothing new (content hashes are compared);
- markings come from, in order: the command line, the row or mapping, the node default;
  the report says how many rows got each.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from puente.errors import InvalidFile, InvalidInput, PayloadTooLarge, Problem
from puente.ingest import parallel
from puente.ingest.mapping import Mapping, load_mapping
from puente.ingest.readers import Row, Source, read_csv, read_json_array, read_jsonl
from puente.model.canonical import canonical_bytes
from puente.model.markings import Markings
from puente.node import Node
from puente.store import db, records
from puente.store.audit import now
from puente.store.tables import loads
from puente.workers import gc_paused

BATCH = 5000
ANALYZE_AFTER = 10_000
MAX_PROBLEMS = 1000
FORMATS = ("csv", "jsonl", "json")


@dataclass
class LoadReport:
    file: str
    rows: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: int = 0
    markings_source: dict[str, int] = field(default_factory=dict)
    rejects_file: str | None = None
    problems: list[Problem] = field(default_factory=list)
    load_id: str = ""
    sha256: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "rows": self.rows,
            "created": self.created,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "markings_source": self.markings_source,
            "rejects_file": self.rejects_file,
            "problems": [p.to_dict() for p in self.problems[:MAX_PROBLEMS]],
            "load_id": self.load_id,
            "sha256": self.sha256,
        }


def detect_format(path: Path, mapping: Mapping | None) -> str:
    name = path.name.lower()
    if mapping is not None or name.endswith((".csv", ".tsv")):
        return "csv"
    if name.endswith((".jsonl", ".ndjson", ".ftm")):
        return "jsonl"
    if name.endswith(".json"):
        with path.open("rb") as fh:
            head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
        return "json" if head.startswith(b"[") else "jsonl"
    raise InvalidInput("error.unknown_format", file=str(path))


class _MarkingsCache:
    """Parse each distinct marking once (files repeat a handful of markings)."""

    def __init__(self, node: Node, partners: set[str]) -> None:
        self.node = node
        self.partners = partners
        self._cache: dict[Any, Markings | InvalidInput] = {}

    def get(self, data: dict[str, Any]) -> Markings:
        try:  # a cheap key: markings are a handful of scalars and one short list
            key: Any = tuple(
                sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in data.items())
            )
            hash(key)
        except TypeError:
            key = canonical_bytes(data)
        hit = self._cache.get(key)
        if hit is None:
            try:
                hit = Markings.parse(data, originator=self.node.country, partners=self.partners)
            except InvalidInput as exc:
                hit = exc
            self._cache[key] = hit
        if isinstance(hit, InvalidInput):
            raise hit
        return hit


def load_file(
    node: Node,
    path: str | Path,
    *,
    mapping: str | Path | Mapping | None = None,
    markings: dict[str, Any] | None = None,
    skip_invalid: bool = False,
    actor: str = "system",
    encoding: str = "utf-8",
    display_name: str | None = None,
    max_bytes: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> LoadReport:
    """Load ``path`` in one transaction (see the module's guarantees). ``workers``:
    processes that validate and prepare rows (default: ``parallel.default_workers``)."""
    path = Path(path)
    name = display_name or path.name
    if not path.is_file():
        raise InvalidInput("error.no_file", file=str(path))
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise PayloadTooLarge(size=size, limit=max_bytes, file=name)
    if isinstance(mapping, str | Path):
        mapping = load_mapping(mapping)
    fmt = detect_format(path, mapping)
    if fmt == "csv" and mapping is None:
        raise InvalidInput("error.csv_needs_mapping", file=name)
    try:
        "".encode(encoding)
    except LookupError as exc:
        raise InvalidInput("error.bad_encoding_name", value=encoding) from exc

    partners = node.partners()
    cache = _MarkingsCache(node, partners)
    explicit = cache.get(markings) if markings else None
    default = node.default_markings
    progress = (lambda done: on_progress(done, size)) if on_progress else None
    source = Source(path, encoding=encoding, on_progress=progress)
    reader = {"csv": read_csv, "jsonl": read_jsonl, "json": read_json_array}[fmt](source)

    report = LoadReport(file=name, load_id=uuid.uuid4().hex)
    seen: dict[str, tuple[str, int]] = {}
    batch: list[records.Prepared] = []
    rejects: list[dict[str, Any]] = []

    def reject(line: int, raw: Any, problems: list[Problem]) -> None:
        report.rejected += 1
        for p in problems:
            p.file = name
            p.line = p.line or line
            if len(report.problems) < MAX_PROBLEMS:
                report.problems.append(p)
        if skip_invalid:
            rejects.append({"line": line, "row": raw, "problems": [p.to_dict() for p in problems]})

    def accept(row: tuple[int, Any, list[Problem], str], result: parallel.Result) -> None:
        line, raw, problems, origin_of_marks = row
        prepared, entity_problems = result
        problems = problems + entity_problems
        for p in prepared:
            previous = seen.get(p.id)
            if previous is not None and previous[0] != p.content_hash:
                problems.append(
                    Problem("duplicate_id_conflict", field="id", value=p.id, first_line=previous[1])
                )
        if problems:
            reject(line, raw, problems)
            return
        report.markings_source[origin_of_marks] = report.markings_source.get(origin_of_marks, 0) + 1
        for p in prepared:
            if p.id in seen:
                continue  # same id, same content: already queued
            seen[p.id] = (p.content_hash, line)
            batch.append(p)

    preparer = parallel.Preparer(parallel.default_workers(size) if workers is None else workers)
    with gc_paused(), node.write() as conn:
        for line, item in reader:
            report.rows += 1
            row_problems = [p for _, p in source.problems]
            source.problems.clear()
            if isinstance(item, Problem):
                ready = preparer.add((line, None, [*row_problems, item], ""), [], default)
            else:
                work = _row(item, line, row_problems, mapping, node, explicit, cache)
                ready = preparer.add(*work)
            for row, result in ready:
                accept(row, result)
            if len(batch) >= BATCH:
                _flush(conn, node, batch, report, actor)
        for row, result in preparer.finish():
            accept(row, result)
        for _, trailing in source.problems:  # bad bytes on blank lines at the end
            reject(trailing.line, None, [trailing])
        if report.rejected and not skip_invalid:
            raise InvalidFile(report.problems, file=name, rows=report.rows)
        _flush(conn, node, batch, report, actor)
        if report.created + report.changed >= ANALYZE_AFTER:
            db.after_bulk_load(conn)
        report.sha256 = source.sha256.hexdigest()
        if rejects:
            rejects_path = path.with_name(path.name + ".rejects.jsonl")
            with rejects_path.open("w", encoding="utf-8") as fh:
                for entry in rejects:
                    fh.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
            report.rejects_file = str(rejects_path)
        conn.execute(
            loads.insert(),
            {
                "id": report.load_id,
                "file": name,
                "sha256": report.sha256,
                "written": report.created + report.changed,
                "unchanged": report.unchanged,
                "rejected": report.rejected,
                "at": now(),
                "by": actor,
            },
        )
        node.audit.append(
            conn,
            actor,
            "load",
            name,
            {k: v for k, v in report.to_dict().items() if k not in ("problems", "file")},
        )
    if on_progress:
        on_progress(size, size)
    return report


def _row(
    item: Row,
    line: int,
    problems: list[Problem],
    mapping: Mapping | None,
    node: Node,
    explicit: Markings | None,
    cache: _MarkingsCache,
) -> tuple[tuple[int, Any, list[Problem], str], list[Row], Markings]:
    """A read row's entities, its markings and where they came from, and the problems
    found so far (bad bytes, mapping, markings); validation happens in ``parallel``."""
    entities, row_marks, more = _entities(item, mapping, node.country)
    problems = problems + more
    try:
        if explicit is not None:
            marks, origin_of_marks = explicit, "command_line"
        elif row_marks:
            marks, origin_of_marks = cache.get(row_marks), "file"
        else:
            marks, origin_of_marks = node.default_markings, "default"
    except InvalidInput as exc:
        params = dict(exc.params)
        where = str(params.pop("field", ""))
        problems.append(
            Problem(exc.key.removeprefix("error."), field=f"markings.{where}".rstrip("."), **params)
        )
        marks, origin_of_marks = node.default_markings, "default"
    return (line, item, problems, origin_of_marks), entities, marks


def _entities(
    item: Row, mapping: Mapping | None, node: str
) -> tuple[list[Row], dict[str, Any] | None, list[Problem]]:
    if mapping is not None:
        return mapping.apply(item, node)
    marks = item.get("markings")
    entity = {k: v for k, v in item.items() if k != "markings"}
    if marks is not None and not isinstance(marks, dict):
        return [entity], None, [Problem("bad_markings", field="markings")]
    return [entity], marks, []


def _flush(
    conn: Any, node: Node, batch: list[records.Prepared], report: LoadReport, actor: str
) -> None:
    if not batch:
        return
    counts = records.write_batch(
        conn, batch, origin=node.country, actor=actor, load_id=report.load_id
    )
    report.created += counts.created
    report.changed += counts.changed
    report.unchanged += counts.unchanged
    batch.clear()
