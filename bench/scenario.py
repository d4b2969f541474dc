"""Benchmark: generate a scenario of N records and measure time and peak memory.

    python bench/scenario.py            # 1,000,000 records (target: under 120 s)
    python bench/scenario.py --quick    # 100,000 records
    python bench/scenario.py --size 10000000 --out /big/disk/world   # the 10M run

The peer is the obvious alternative the generator avoids: calling Faker once per
person for a name, an address and a phone. It is timed on a sample of people in the
same run and reported as the ratio of its cost per person to ours per *record* (each
person yields one or more records), so ``ratio_vs_faker_per_call`` > 1 means Faker
alone, before writing anything, would be slower than the whole generator.

Ends by printing one JSON line: records, seconds, peak_mb, and the rest of the figures.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import time
from pathlib import Path

from puente.scenario import generate

PEER_SAMPLE = 5_000


def faker_per_call_seconds(n: int) -> float:
    """Seconds per person when each person's name, address and phone is a Faker call."""
    from faker import Faker

    fakers = [Faker("es_MX"), Faker("en_US")]
    for i, fake in enumerate(fakers):
        fake.seed_instance(i)
    start = time.perf_counter()
    for i in range(n):
        fake = fakers[i % 2]
        fake.name()
        fake.address()
        fake.phone_number()
    return (time.perf_counter() - start) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="100,000 records")
    parser.add_argument("--size", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None, help="keep the output here")
    args = parser.parse_args()
    size = args.size or (100_000 if args.quick else 1_000_000)
    out = args.out or Path(tempfile.mkdtemp(prefix="puente-scenario-")) / "world"
    cpu0 = time.process_time()
    start = time.perf_counter()
    manifest = generate(out, size, args.seed, overwrite=args.out is not None)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    disk_mb = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 2**20
    if args.out is None:
        shutil.rmtree(out.parent, ignore_errors=True)
    ours_per_record = seconds / manifest.records
    peer = faker_per_call_seconds(PEER_SAMPLE)
    print(
        json.dumps(
            {
                "records": manifest.records,
                "seconds": round(seconds, 1),
                "peak_mb": round(peak_mb),
                "cpu_seconds": round(cpu, 1),
                "records_per_second": round(manifest.records / seconds),
                "disk_mb": round(disk_mb),
                "people": manifest.truth["people"],
                "networks": manifest.networks,
                "faker_per_call_us_per_person": round(peer * 1e6, 1),
                "ours_us_per_record": round(ours_per_record * 1e6, 1),
                "ratio_vs_faker_per_call": round(peer / ours_per_record, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
