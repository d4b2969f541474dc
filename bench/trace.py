"""Firearm tracing: accuracy on the scenario and throughput against a large acquisition
index, side by side with a scan baseline in the same run.

- accuracy: three scenario worlds whose Mexican seizure records misread 0 %, 5 % and 15 %
  of serials (look-alikes or a dropped character; ``Params.serial_errors``), loaded into
  an MX and a US node; every seizure of trafficked guns is traced over the signed channel
  (``puente.trace.evaluate``) and scored against ``truth/chains.csv``; also the scenario's
  default error mix (misread 18 %, obliterated 12 %, missing 6 %) for reference;
- throughput: a US node holding N synthetic acquisitions (one gun each, catalogue makes
  and serial patterns; default 5M, ``--quick`` 100k) receives R trace items (default
  100k, ``--quick`` 10k) — 85 % of bought guns, serials noised as the scenario does, 15 %
  never sold — and processes them (``inbound.process``: match, first purchase, flags,
  written with status and audit); requests/s and the p95 of one item's match + assess.
  Setup writes the synthetic records through the store's own write path
  (``records.prepare`` + ``records.write_batch``, 20k acquisitions a transaction), not
  ``load_file``, whose reading and validation are not what is measured; its time
  (``setup_s``), the index's first build (``index_s``, ``index.refresh``) and the
  process's peak resident memory (``peak_rss_mb``) are reported beside the figures;
- peer: the same matching done by scanning every gun of the same make with the same
  serial comparison, on a sample, p95 ratio.

    python bench/trace.py --quick          # about a minute or two on two shared cores
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from puente.ingest import load_file
from puente.model.markings import Markings
from puente.node import Node, init_node
from puente.scenario import Params, generate
from puente.scenario.catalogue import load_catalogue
from puente.scenario.identifiers import serial_from
from puente.scenario.noise import serial_observed
from puente.store import records
from puente.store.partners import add_partner
from puente.store.tables import trace_guns
from puente.store.users import SYSTEM
from puente.trace import inbound, index
from puente.trace.describe import make_key
from puente.trace.items import Firearm
from puente.trace.match import match
from puente.trace.purchase import assess
from puente.trace.serials import fold, one_edit, read_serial

URL = "http://testserver"


def pair(base: Path) -> tuple[Node, Node]:
    mx, us = init_node(base / "mx", "MX"), init_node(base / "us", "US")
    with mx.write() as c:
        add_partner(c, "USA", URL, us.public_key)
    with us.write() as c:
        add_partner(c, "MEX", URL, mx.public_key)
    return mx, us


def accuracy(base: Path, size: int, rates: tuple[float, float, float]) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from puente.api import create_app
    from puente.trace.evaluate import trace_world

    world = base / "world"
    generate(world, size, 7, params=Params(size=size, seed=7, serial_errors=rates))
    mx, us = pair(base)
    for node, side in ((mx, "mx"), (us, "us")):
        for path in sorted((world / side).glob("*.jsonl")):
            load_file(node, path)
    acc = trace_world(mx, us, world, TestClient(create_app(us), base_url=URL), "USA")
    mx.close()
    us.close()
    return {
        "guns": acc.guns,
        "share": round(acc.share, 4),
        "wrong": acc.wrong,
        "partial": acc.partial,
        "no_record": acc.no_record,
    }


def synthetic_us(us: Node, n: int, rng: random.Random) -> list[tuple[Any, str]]:
    """N acquisitions of one gun each; returns (spec, serial) of every gun."""
    cat = load_catalogue()
    weights = [g.weight for g in cat.guns]
    marks = Markings.parse(
        {
            "classification": "restricted",
            "rel_to": [],
            "handling": "H0",
            "source_reliability": "B",
            "info_credibility": "2",
        },
        originator="USA",
    )
    guns: list[tuple[Any, str]] = []
    seen: set[int] = set()  # (make, folded serial) of every gun, kept unique; ints: 5M fit
    for start in range(0, n, 20_000):
        batch = []
        for i in range(start, min(n, start + 20_000)):
            spec = rng.choices(cat.guns, weights)[0]
            serial = serial_from(spec.serial + "##", rng)
            key = hash((spec.make, fold(serial)))
            if key in seen:
                continue
            seen.add(key)
            guns.append((spec, serial))
            day = f"20{rng.randint(15, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            batch.append(
                records.prepare(
                    f"g{i}",
                    "Firearm",
                    {
                        "make": [spec.make],
                        "model": [spec.model],
                        "firearmType": [spec.type],
                        "caliber": [spec.caliber],
                        "serialNumber": [serial],
                    },
                    marks,
                )
            )
            batch.append(
                records.prepare(
                    f"a{i}",
                    "Acquisition",
                    {
                        "purchaser": [f"p{rng.randrange(n // 3 + 1)}"],
                        "dealer": [f"d{i % 500}"],
                        "date": [day],
                        "firearm": [f"g{i}"],
                        "state": ["TX"],
                    },
                    marks,
                )
            )
        with us.write() as conn:
            records.write_batch(conn, batch, origin="USA", actor="bench")
        if (start + 20_000) % 500_000 == 0:
            print(f"setup: {start + 20_000} acquisitions", file=sys.stderr, flush=True)
    return guns


def requests_for(
    guns: list[tuple[Any, str]], count: int, rng: random.Random
) -> list[dict[str, Any]]:
    cat = load_catalogue()
    out = []
    for _ in range(count):
        if rng.random() < 0.85:
            spec, serial = rng.choice(guns)
            text, _ = serial_observed(serial, rng, (0.18, 0.12, 0.06))
        else:
            spec = rng.choice(cat.guns)
            text = serial_from(spec.serial + "##", rng)
        out.append(
            {
                "firearm": {
                    "make": spec.make,
                    "serial": text,
                    "caliber": spec.caliber if rng.random() < 0.8 else "",
                },
                "recovery": {"date": "2025-06-30", "state": "Sinaloa"},
            }
        )
    return out


def scan(conn: Any, gun: Firearm) -> int:
    """The peer: every gun of the make compared with the same serial rules."""
    reading = read_serial(gun.serial, gun.serial_partial)
    rows = conn.execute(
        select(trace_guns.c.serial_key).where(trace_guns.c.make_key == make_key(gun.make))
    ).all()
    return sum(
        1
        for r in rows
        if (
            reading.fits(r.serial_key)
            if reading.partial
            else r.serial_key == reading.folded or one_edit(reading.folded, r.serial_key)
        )
    )


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) > 1 else values[0]


def throughput(base: Path, n: int, count: int) -> dict[str, Any]:
    rng = random.Random(5)
    mx, us = pair(base)
    t0 = time.perf_counter()
    gc.disable()  # setup allocates millions of small objects, none in cycles
    guns = synthetic_us(us, n, rng)
    gc.enable()
    loaded = time.perf_counter() - t0
    t0 = time.perf_counter()
    built = index.refresh(us)
    indexed = time.perf_counter() - t0
    print(f"index: {built}, {indexed:.1f} s", file=sys.stderr, flush=True)
    items = requests_for(guns, count, rng)
    for k in range(0, count, 1000):
        inbound.receive(us, "MEX", {"request": f"MEX-T-{k:016x}", "items": items[k : k + 1000]})
    t0 = time.perf_counter()
    report = inbound.process(us, SYSTEM)
    spent = time.perf_counter() - t0
    sample = [Firearm(**i["firearm"]) for i in items[:2000]]
    lat, cpu, peer = [], [], []
    with us.read() as conn:
        for gun in sample:
            s, c = time.perf_counter(), time.thread_time()
            assess(conn, match(conn, gun, "2025-06-30"), "2025-06-30")
            lat.append((time.perf_counter() - s) * 1000)
            cpu.append((time.thread_time() - c) * 1000)
        for gun in sample[:100]:
            s = time.perf_counter()
            scan(conn, gun)
            peer.append((time.perf_counter() - s) * 1000)
    us.close()
    mx.close()
    return {
        "acquisitions": built.guns,
        "setup_s": round(loaded, 1),
        "index_s": round(indexed, 1),
        "process_s": round(spent, 1),
        "items": report.items,
        "by_status": report.by_status,
        "requests_per_s": round(report.items / spent, 1),
        "p95_ms": round(p95(lat), 2),
        # CPU time of the same calls: on a shared machine, wall time also counts the
        # time slices other processes took.
        "p95_cpu_ms": round(p95(cpu), 2),
        "scan_p95_ms": round(p95(peer), 2),
        "index_vs_scan_p95": round(p95(peer) / p95(lat), 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--size", type=int, default=0, help="scenario size (default 100k; quick 20k)")
    ap.add_argument("--acquisitions", type=int, default=0, help="default 5M; quick 100k")
    ap.add_argument("--requests", type=int, default=0, help="default 100k; quick 10k")
    a = ap.parse_args()
    size = a.size or (20_000 if a.quick else 100_000)
    n = a.acquisitions or (100_000 if a.quick else 5_000_000)
    count = a.requests or (10_000 if a.quick else 100_000)
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, rates in (
            ("err0", (0.0, 0.0, 0.0)),
            ("err5", (0.05, 0.0, 0.0)),
            ("err15", (0.15, 0.0, 0.0)),
            ("default_mix", (0.18, 0.12, 0.06)),
        ):
            acc = accuracy(Path(tmp) / label, size, rates)
            print(label, acc, file=sys.stderr, flush=True)
            out[f"traced_share_{label}"] = acc["share"]
            out["wrong_purchaser"] = out.get("wrong_purchaser", 0) + acc["wrong"]
            out[f"guns_{label}"] = acc["guns"]
        speed = throughput(Path(tmp) / "speed", n, count)
        print(speed, file=sys.stderr, flush=True)
    out.update(
        {
            k: speed[k]
            for k in (
                "requests_per_s",
                "p95_ms",
                "p95_cpu_ms",
                "scan_p95_ms",
                "index_vs_scan_p95",
                "acquisitions",
                "items",
                "setup_s",
                "index_s",
                "process_s",
            )
        }
    )
    # Linux reports ru_maxrss in KiB.
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
