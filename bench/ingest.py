"""Ingest rate as a ratio to the store's physical limit.

For each backend: load N records from a JSON-lines file through ``puente.ingest.load_file``
(read, decode, validate, mark, derive search keys, write versions + current state +
identifiers + full-text index + change feed + audit, one transaction). Then two plain
DBAPI ``executemany`` runs in the same database, each one transaction:

- ``ingest_ratio_<backend>``: the same rows the load wrote — its ``records``,
  ``record_versions``, ``identifiers``, ``search_names`` and ``changes`` rows, captured
  from a second load and replayed into a fresh node's tables (same indexes, same
  full-text index): what storing these records costs the database with no Python work
  at all, the physical limit of that store for them (``executemany`` on SQLite; on
  PostgreSQL ``COPY``, faster there than ``executemany``, which our own load beats);
- ``ingest_ratio_<backend>_one_table``: the file's rows as given (id, schema,
  properties, markings) into one table with a primary key and nothing else — a floor no
  searchable, versioned store reaches: on SQLite the rows a record needs cost about six
  of these on their own.

Each ratio is our rate over the plain rate (target ≥ 0.25).

    python bench/ingest.py            # 100k and 1M records
    python bench/ingest.py --quick    # 20k records
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import peak_mb, temp_node, write_jsonl
from puente.ingest import load_file
from puente.node import Node
from puente.store import db

STORED = ("records", "record_versions", "identifiers", "search_names", "changes")

PLAIN_DDL = (
    "CREATE TABLE plain_rows (id VARCHAR(200) PRIMARY KEY, schema VARCHAR(64), "
    "properties TEXT, markings TEXT)"
)


def plain_executemany(node: Node, path: Path) -> float:
    """Seconds to insert the file's rows as-is with executemany (JSON parse excluded)."""
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            rows.append(
                (
                    rec["id"],
                    rec["schema"],
                    json.dumps(rec["properties"]),
                    json.dumps(rec["markings"]),
                )
            )
    raw = node.engine.raw_connection()
    if node.engine.dialect.name != "sqlite":
        # the node plans every statement afresh (store/db.py); a plain executemany
        # gets psycopg's default, a statement prepared once and run for every row
        raw.driver_connection.prepare_threshold = 5  # type: ignore[union-attr]
    try:
        cur = raw.cursor()
        cur.execute(PLAIN_DDL)
        raw.commit()
        placeholder = "?" if node.engine.dialect.name == "sqlite" else "%s"
        sql = f"INSERT INTO plain_rows VALUES ({', '.join([placeholder] * 4)})"
        start = time.perf_counter()
        if node.engine.dialect.name == "sqlite":
            cur.execute("BEGIN")
        cur.executemany(sql, rows)
        raw.commit()
        return time.perf_counter() - start
    finally:
        if node.engine.dialect.name != "sqlite":
            raw.driver_connection.prepare_threshold = None  # type: ignore[union-attr]
        raw.close()


def stored_rows(backend: str, path: Path) -> dict[str, tuple[list[str], list[Any]]]:
    """The rows a load of ``path`` writes to each table, captured from a load."""
    captured: dict[str, tuple[list[str], list[Any]]] = {}
    real = db.insert_rows

    def capture(conn: Any, table: str, columns: Any, rows: Any) -> None:
        if table in STORED:
            captured.setdefault(table, (list(columns), []))[1].extend(rows)
        real(conn, table, columns, rows)

    db.insert_rows = capture  # type: ignore[assignment]
    try:
        with temp_node(backend) as node:
            load_file(node, path)
    finally:
        db.insert_rows = real  # type: ignore[assignment]
    return captured


def plain_stored(node: Node, captured: dict[str, tuple[list[str], list[Any]]]) -> float:
    """Seconds to insert the captured rows into the node's own tables, the plainest
    fastest way each backend has: ``executemany`` on SQLite; on PostgreSQL ``COPY``
    (its ``executemany`` is slower than the load itself, which copies, so it would not
    be a limit)."""
    raw = node.engine.raw_connection()
    sqlite = node.engine.dialect.name == "sqlite"
    try:
        cur = raw.cursor()
        start = time.perf_counter()
        if sqlite:
            cur.execute("BEGIN")
        for table, (columns, rows) in captured.items():
            names = ", ".join(columns)
            if sqlite:
                marks = ", ".join(["?"] * len(columns))
                cur.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
            else:
                with cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        raw.commit()
        return time.perf_counter() - start
    finally:
        raw.close()


def run(backend: str, path: Path, n: int) -> dict[str, float]:
    with temp_node(backend) as node:
        start = time.perf_counter()
        report = load_file(node, path)
        ours = time.perf_counter() - start
        assert report.created == n, report.to_dict()
        one_table = plain_executemany(node, path)
    captured = stored_rows(backend, path)
    with temp_node(backend) as node:
        stored = plain_stored(node, captured)
    rows = sum(len(r) for _, r in captured.values())
    del captured
    return {
        "ours_per_s": n / ours,
        "plain_per_s": n / stored,
        "ratio": stored / ours,
        "one_table_per_s": n / one_table,
        "ratio_one_table": one_table / ours,
        "stored_rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", default="")
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s] or (
        [20_000] if args.quick else [100_000, 1_000_000]
    )
    result: dict[str, float | int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = write_jsonl(Path(tmp) / f"records-{n}.jsonl", n)
            for backend in args.backends.split(","):
                figures = run(backend, path, n)
                print(
                    f"# {backend} n={n}: ours {figures['ours_per_s']:.0f}/s; plain bulk insert "
                    f"of the {figures['stored_rows']:.0f} rows it stored "
                    f"{figures['plain_per_s']:.0f} records/s, ratio {figures['ratio']:.3f}; "
                    f"of the file's rows into one table {figures['one_table_per_s']:.0f}/s, "
                    f"ratio {figures['ratio_one_table']:.3f}",
                    file=sys.stderr,
                )
                suffix = "" if n == sizes[-1] else f"_{n}"
                result[f"ingest_ratio_{backend}{suffix}"] = round(figures["ratio"], 3)
                result[f"ingest_ratio_{backend}_one_table{suffix}"] = round(
                    figures["ratio_one_table"], 3
                )
                result[f"ingest_per_s_{backend}{suffix}"] = round(figures["ours_per_s"])
    result["records"] = sizes[-1]
    result["peak_mb"] = round(peak_mb())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
