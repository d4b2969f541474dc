"""Ingest rate as a ratio to the store's physical limit.

For each backend: load N records from a JSON-lines file through ``puente.ingest.load_file``
(read, decode, validate, mark, derive search keys, write versions + current state +
identifiers + full-text index + change feed + audit, one transaction), then insert the
same rows with a plain DBAPI ``executemany`` into a table of the same columns in the same
database, one transaction. The ratio is our rate over the plain rate (target ≥ 0.25).

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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import peak_mb, temp_node, write_jsonl
from puente.ingest import load_file
from puente.node import Node

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
        raw.close()


def run(backend: str, path: Path, n: int) -> dict[str, float]:
    with temp_node(backend) as node:
        start = time.perf_counter()
        report = load_file(node, path)
        ours = time.perf_counter() - start
        assert report.created == n, report.to_dict()
        plain = plain_executemany(node, path)
    return {"ours_per_s": n / ours, "plain_per_s": n / plain, "ratio": plain / ours}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", default="")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s] or (
        [20_000] if args.quick else [100_000, 1_000_000]
    )
    result: dict[str, float | int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = write_jsonl(Path(tmp) / f"records-{n}.jsonl", n)
            for backend in ("sqlite", "postgres"):
                figures = run(backend, path, n)
                print(
                    f"# {backend} n={n}: ours {figures['ours_per_s']:.0f}/s, plain executemany "
                    f"{figures['plain_per_s']:.0f}/s, ratio {figures['ratio']:.3f}",
                    file=sys.stderr,
                )
                suffix = "" if n == sizes[-1] else f"_{n}"
                result[f"ingest_ratio_{backend}{suffix}"] = round(figures["ratio"], 3)
                result[f"ingest_per_s_{backend}{suffix}"] = round(figures["ours_per_s"])
    result["records"] = sizes[-1]
    result["peak_mb"] = round(peak_mb())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
