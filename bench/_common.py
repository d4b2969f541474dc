"""Shared bench plumbing: synthetic marked records, throw-away nodes on both backends,
peak memory. Benchmarks print one JSON line at the end (see README)."""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from faker import Faker
from sqlalchemy import create_engine, text

from puente.node import Node, init_node

PG_ADMIN = os.environ.get("PUENTE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
MARKS = [
    {
        "classification": "restricted",
        "handling": "H0",
        "source_reliability": "B",
        "info_credibility": "2",
    },
    {
        "classification": "confidential",
        "handling": "H2",
        "source_reliability": "A",
        "info_credibility": "2",
    },
    {
        "classification": "public",
        "handling": "H0",
        "source_reliability": "C",
        "info_credibility": "3",
    },
]


def name_pools(seed: int = 7) -> tuple[list[str], list[str], list[str]]:
    mx, us = Faker("es_MX"), Faker("en_US")
    mx.seed_instance(seed)
    us.seed_instance(seed)
    given = [mx.first_name() for _ in range(600)] + [us.first_name() for _ in range(600)]
    surnames = [mx.last_name() for _ in range(1500)] + [us.last_name() for _ in range(1500)]
    makes = [
        "Colt",
        "Barrett",
        "Century Arms",
        "Smith & Wesson",
        "Ruger",
        "Glock",
        "Romarm",
        "Zastava",
    ]
    return given, surnames, makes


def records(n: int, seed: int = 1) -> Iterator[dict[str, Any]]:
    """Persons (with passports, phones, birth dates) and firearms (with serials)."""
    rng = random.Random(seed)
    given, surnames, makes = name_pools()
    for i in range(n):
        marks = MARKS[i % len(MARKS)]
        if i % 4 == 3:
            yield {
                "id": f"gun-{i}",
                "schema": "Firearm",
                "properties": {
                    "make": [rng.choice(makes)],
                    "model": [rng.choice(["AR-15", "AK-47", "M82", "1911", "Mini-14"])],
                    "caliber": [rng.choice(["5.56", "7.62x39", ".50 BMG", ".38 Super", "9mm"])],
                    "serialNumber": [
                        f"{rng.choice('ABCDEFGHKLMNPRSTW')}{rng.choice('ABCDEFGHKLMNPRSTW')}{rng.randrange(10**7):07d}"
                    ],
                },
                "markings": marks,
            }
        else:
            name = f"{rng.choice(given)} {rng.choice(surnames)} {rng.choice(surnames)}"
            yield {
                "id": f"person-{i}",
                "schema": "Person",
                "properties": {
                    "name": [name],
                    "birthDate": [
                        f"{rng.randrange(1950, 2005)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
                    ],
                    "passportNumber": [f"G{rng.randrange(10**8):08d}"],
                    "phone": [f"+52 {rng.randrange(10**9, 10**10)}"],
                    "nationality": [rng.choice(["mx", "us"])],
                },
                "markings": marks,
            }


def write_jsonl(path: Path, n: int, seed: int = 1) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for rec in records(n, seed):
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path


@contextmanager
def temp_node(backend: str, country: str = "MX") -> Iterator[Node]:
    """A fresh node on ``sqlite`` (file in a temp dir) or ``postgres`` (fresh database)."""
    tmp = Path(tempfile.mkdtemp(prefix="puente-bench-"))
    db_url = ""
    admin = None
    name = f"puente_bench_{uuid.uuid4().hex[:10]}"
    if backend == "postgres":
        admin = create_engine(
            PG_ADMIN.replace("postgresql://", "postgresql+psycopg://", 1),
            isolation_level="AUTOCOMMIT",
        )
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        db_url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    node = init_node(tmp / "node", country, db_url=db_url)
    try:
        yield node
    finally:
        node.close()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        shutil.rmtree(tmp, ignore_errors=True)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def wait_healthy(url: str, seconds: float) -> None:
    """Wait until ``url``/health answers; a server that never does stops the bench."""
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/health", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer /health within {seconds:.0f} s")
