"""Search latency over a loaded node, SQLite and PostgreSQL.

Loads N records (persons with passports and phones, firearms with serials) through the
normal ingest path, then runs 1,000 queries as an analyst through ``puente.access``
(the path the API and UI use: clearance filter in SQL, audit of sensitive hits):
full names in another word order without accents, partial names (prefix of the last
word), passports and serials written with separators, phones in other formats, and
misses. Reports p50/p99 per backend (target p99 < 50 ms at 1M).

    python bench/search.py            # 1M records
    python bench/search.py --quick    # 20k records
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from normality import ascii_text

from _common import peak_mb, records, temp_node, write_jsonl
from puente.access import search_records
from puente.ingest import load_file
from puente.store.search import SearchQuery
from puente.store.users import User


def make_queries(n_records: int, count: int = 1000, seed: int = 3) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    picks = set(rng.sample(range(n_records), min(count, n_records)))
    out: list[tuple[str, str]] = []
    for i, rec in enumerate(records(n_records)):
        if i not in picks:
            continue
        props = rec["properties"]
        kind = rng.random()
        if rec["schema"] == "Firearm":
            serial = props["serialNumber"][0]
            out.append(("serial", f"{serial[:2]}-{serial[2:]}".lower()))
        elif kind < 0.4:
            words = ascii_text(props["name"][0]).split()
            rng.shuffle(words)
            out.append(("name", " ".join(words).upper()))
        elif kind < 0.6:
            words = props["name"][0].split()
            out.append(("partial", f"{words[1]} {words[0][:3]}"))
        elif kind < 0.8:
            p = props["passportNumber"][0]
            out.append(("passport", f"{p[:3]} {p[3:6]} {p[6:]}"))
        else:
            digits = props["phone"][0].split()[1]
            out.append(("phone", f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"))
    out += [("miss", f"zzq{i}xq") for i in range(len(out) // 20)]
    rng.shuffle(out)
    return out


def run(backend: str, path: Path, n: int, queries: list[tuple[str, str]]) -> dict[str, float]:
    analyst = User("bench", ("analyst",), 2, "en")
    with temp_node(backend) as node:
        load_file(node, path)
        for _, q in queries[:50]:  # warm caches
            search_records(node, analyst, SearchQuery(q=q))
        times = []
        found = 0
        for kind, q in queries:
            start = time.perf_counter()
            hits, _ = search_records(node, analyst, SearchQuery(q=q, limit=20))
            times.append((time.perf_counter() - start) * 1000)
            found += bool(hits) == (kind != "miss")
    times.sort()
    return {
        "p50": statistics.median(times),
        "p99": times[int(len(times) * 0.99) - 1],
        "expected_share": found / len(queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--records", type=int, default=0)
    args = parser.parse_args()
    n = args.records or (20_000 if args.quick else 1_000_000)
    queries = make_queries(n)
    result: dict[str, float | int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = write_jsonl(Path(tmp) / "records.jsonl", n)
        for backend in ("sqlite", "postgres"):
            fig = run(backend, path, n, queries)
            print(
                f"# {backend}: p50 {fig['p50']:.2f} ms, p99 {fig['p99']:.2f} ms, "
                f"answers as expected {fig['expected_share']:.3f}",
                file=sys.stderr,
            )
            result[f"search_p50_ms_{backend}"] = round(fig["p50"], 2)
            result[f"search_p99_ms_{backend}"] = round(fig["p99"], 2)
            result[f"search_expected_share_{backend}"] = round(fig["expected_share"], 4)
    result["records"] = n
    result["queries"] = len(queries)
    result["peak_mb"] = round(peak_mb())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
