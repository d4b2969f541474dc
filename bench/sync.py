"""bench/sync: records synced between two nodes on loopback, against the Ed25519 limit.

Two nodes in one temporary directory: MX (its records all releasable to USA) served by
``puente serve`` in its own process; US pulls with ``exchange.pull.sync`` over HTTP.
Timed: the whole sync — MX building and signing its feed on demand, HTTP pages, US
verifying every signature and the chain, validating each record and applying pages
with their cursor. Not timed: creating the nodes and loading MX's records.

Then a second, fresh US node (same key, empty database) pulls the same feed again, now
already built and signed — as a serving node's background round keeps its partners'
feeds (``exchange.background``), so a partner catching up on a backlog finds it: that is
``prebuilt_feed_seconds`` (and its ``prebuilt_feed_ratio_to_verify_limit``). ``seconds``
stays the first, cold figure, feed building included.

The peer figure, measured in the same run on the same machine, is the raw Ed25519
verify rate of ``cryptography`` over this feed's own entries, single-threaded: one
verification per entry on one core. It is measured just before and just after the sync
(the machine may be shared; both values are printed) and their mean is the limit:
``ratio_to_verify_limit`` = records/s ÷ that mean. The pull itself verifies with
libsodium (PyNaCl) on every core; its single-threaded rate over the same entries is
printed beside (``libsodium_verify_per_s``, ``ratio_to_libsodium``) so that the share
of the gain that comes from the library, not the pipeline, shows. ``uptime``'s load
averages before and after are printed too.

``crypto_floor_seconds`` is the least any pipeline could take on this machine: every
entry signed once by the serving node and verified once by the puller, at the single-
thread rates measured here (libsodium's signatures, the faster library's verifications),
spread perfectly over every core, nothing else done. ``seconds_over_crypto_floor`` is
how far the sync is from it. On a machine where the floor exceeds 60 s, the issue's
"1M in 60 s" cannot be met by any pipeline that signs and verifies every entry.

    python bench/sync.py            # 1,000,000 records
    python bench/sync.py --quick    # 20,000 records
    python bench/sync.py --pg postgresql://postgres@127.0.0.1:5432/postgres

Ends by printing one JSON line.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from nacl.bindings import crypto_sign_open
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import wait_healthy
from puente.crypto import load_private, load_public
from puente.exchange import feed
from puente.exchange.entry import Signer
from puente.exchange.pull import sync
from puente.model.markings import Markings
from puente.node import Node, init_node
from puente.store import records
from puente.store.partners import add_partner

FIRST = ["Juan", "María", "José", "Guadalupe", "Luis", "Ana", "Carlos", "Rosa", "Jorge"]
LAST = ["Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez"]


def _admin(admin: str, sql: str) -> None:
    eng = create_engine(
        admin.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with eng.connect() as conn:
        conn.execute(text(sql))
    eng.dispose()


def make_db(admin: str) -> str:
    name = f"puente_bench_{uuid.uuid4().hex[:8]}"
    _admin(admin, f'CREATE DATABASE "{name}"')
    return admin.rsplit("/", 1)[0] + "/" + name


def drop_db(admin: str, url: str) -> None:
    _admin(admin, f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def load(mx: Node, n: int) -> None:
    marks = Markings.parse(
        {
            "classification": "restricted",
            "rel_to": ["USA"],
            "handling": "H0",
            "source_reliability": "B",
            "info_credibility": "2",
        },
        originator="MEX",
    )
    for start in range(0, n, 10_000):
        batch = []
        for i in range(start, min(n, start + 10_000)):
            name = f"{FIRST[i % 9]} {LAST[i % 7]} {LAST[(i // 7) % 7]} {i}"
            props = {
                "name": [name],
                "birthDate": [f"19{50 + i % 50}-01-{1 + i % 28:02d}"],
                "idNumber": [f"CURP{i:010d}"],
                "nationality": ["mx"],
            }
            batch.append(records.prepare(f"p{i}", "Person", props, marks))
        with mx.write() as conn:
            records.write_batch(conn, batch, origin="MEX", actor="bench")


def verify_rates(mx: Node, seconds: float = 3.0) -> tuple[float, float, float]:
    """Raw Ed25519 operations per second over entries of this very feed, on one
    thread: verifications with ``cryptography`` (OpenSSL; the limit) and with libsodium
    (what the pull uses), and libsodium signatures (what the serving node makes)."""
    feed.extend(mx, "USA", until_seq=2000)
    with mx.read() as conn:
        lines, _ = feed.page(conn, "USA", 0, 2000)
    key = load_public(mx.public_key)
    raw_key = base64.b64decode(mx.public_key)
    pairs = []
    for line in lines:
        sig, body = line.split(" ", 1)
        pairs.append((base64.b64decode(sig), body.encode()))

    def openssl(sig: bytes, raw: bytes) -> None:
        key.verify(sig, raw)

    def sodium(sig: bytes, raw: bytes) -> None:
        crypto_sign_open(sig + raw, raw_key)

    signer = Signer(load_private(mx.settings.key_path))

    def sign(sig: bytes, raw: bytes) -> None:
        signer.sign(raw)

    rates = []
    for verify in (openssl, sodium, sign):
        done, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            for signature, message in pairs:
                verify(signature, message)
            done += len(pairs)
        rates.append(done / (time.perf_counter() - started))
    return rates[0], rates[1], rates[2]


def load_average() -> list[float]:
    with open("/proc/loadavg") as fh:
        return [float(x) for x in fh.read().split()[:3]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="20,000 records")
    parser.add_argument("--records", type=int, default=0)
    parser.add_argument("--page", type=int, default=5000)
    parser.add_argument("--pg", default="", help="PostgreSQL admin URL (default: SQLite)")
    args = parser.parse_args()
    n = args.records or (20_000 if args.quick else 1_000_000)
    work = Path(tempfile.mkdtemp(prefix="puente-bench-sync-"))
    mx = init_node(work / "mx", "MX", db_url=make_db(args.pg) if args.pg else "")
    us = init_node(work / "us", "US", db_url=make_db(args.pg) if args.pg else "")
    port = free_port()
    with mx.write() as conn:
        add_partner(conn, "US", "http://127.0.0.1:9", us.public_key)
    with us.write() as conn:
        add_partner(conn, "MX", f"http://127.0.0.1:{port}", mx.public_key)
    t0 = time.perf_counter()
    load(mx, n)
    print(f"loaded {n} records into MX in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    load_before = load_average()
    limit_before, sodium_before, sign_before = verify_rates(mx)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "puente.cli.main",
            "--node",
            str(mx.settings.node_dir),
            "serve",
            "--port",
            str(port),
            "--log-level",
            "warning",
            # no background round: it would start building the feed while the server
            # starts, before the clock; the cold sync builds all of it on demand
            "--no-background",
        ],
        stdout=subprocess.DEVNULL,
    )
    us2 = init_node(work / "us2", "US", db_url=make_db(args.pg) if args.pg else "")
    for path in ("key_path", "public_key_path"):  # the same node, its database empty
        shutil.copy(getattr(us.settings, path), getattr(us2.settings, path))
    with us2.write() as conn:
        add_partner(conn, "MX", f"http://127.0.0.1:{port}", mx.public_key)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", 60)
        started = time.perf_counter()
        report = sync(us, "MEX", page_size=args.page)
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        report2 = sync(us2, "MEX", page_size=args.page)
        warm = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait()
    limit_after, sodium_after, sign_after = verify_rates(mx)
    load_after = load_average()
    limit = (limit_before + limit_after) / 2
    sodium = (sodium_before + sodium_after) / 2
    signs = (sign_before + sign_after) / 2
    # Every entry is signed once (serving node) and verified once (puller): with the
    # fastest library measured here, spread perfectly over every core and nothing else
    # done, the two nodes need at least this long. No pipeline syncs faster.
    cores = len(os.sched_getaffinity(0))
    floor = n * (1 / signs + 1 / max(limit, sodium)) / cores
    for node, done in ((us, report), (us2, report2)):
        with node.read() as conn:
            held = records.count(conn)
        assert done.entries == n and held == n, (done, held)
    for node in (mx, us, us2):
        node.close()
        if args.pg:
            drop_db(args.pg, node.settings.database_url)
    shutil.rmtree(work, ignore_errors=True)
    rate = n / seconds
    print(
        json.dumps(
            {
                "records": n,
                "seconds": round(seconds, 1),
                "records_per_s": round(rate),
                "verify_per_s": round(limit),
                "verify_per_s_before_after": [round(limit_before), round(limit_after)],
                "ratio_to_verify_limit": round(rate / limit, 3),
                "prebuilt_feed_seconds": round(warm, 1),
                "prebuilt_feed_records_per_s": round(n / warm),
                "prebuilt_feed_ratio_to_verify_limit": round(n / warm / limit, 3),
                "libsodium_verify_per_s": round(sodium),
                "ratio_to_libsodium": round(rate / sodium, 3),
                "libsodium_sign_per_s": round(signs),
                "cores": cores,
                "crypto_floor_seconds": round(floor, 1),
                "seconds_over_crypto_floor": round(seconds / floor, 2),
                "backend": "postgresql" if args.pg else "sqlite",
                "page": args.page,
                "load_before_after": [load_before, load_after],
            }
        )
    )


if __name__ == "__main__":
    main()
