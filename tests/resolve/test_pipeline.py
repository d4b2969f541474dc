"""The streamed full run (SQLite and PostgreSQL) stores exactly what the in-memory path
computes with the same model: every blocked pair with its weight and per-field weights,
the clusters of ``clusters.cluster`` and the ids of ``clusters.assign_ids`` — with the
model trained on a sample, pairs scored in several slices and the indexes rebuilt."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, select

from puente.node import Node
from puente.resolve import decisions
from puente.resolve.clusters import assign_ids, cluster, components, fresh_id, ordered
from puente.resolve.features import extract
from puente.resolve.model import run
from puente.resolve.pipeline import THRESHOLDS, resolve_group
from puente.resolve.profiles import PROFILES
from puente.resolve.state import load_model
from puente.resolve.workspace import Limits, Workspace
from puente.store import records
from puente.store.tables import resolve_clusters, resolve_keys, resolve_pairs
from tests.resolve.test_model import _variant

SMALL = Limits(
    memory="500MB",
    threads=1,
    read_chunk=128,
    pairs_per_chunk=3_000,
    train_max=600,
    write_batch=100,
    bulk_records=500,
)


def _people(node: Node, n_people: int, seed: int) -> dict[str, dict[str, Any]]:
    from faker import Faker

    fake = Faker("es_MX")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    out: dict[str, dict[str, Any]] = {}
    for person in range(n_people):
        p = {
            "given": fake.first_name(),
            "father": fake.last_name(),
            "mother": fake.last_name(),
            "alias": rng.choice(["El Güero", "El Flaco", "La Chata"]),
            "dob": fake.date_of_birth(minimum_age=18, maximum_age=70).isoformat(),
            "id": f"{rng.randrange(10**8, 10**9)}",
        }
        for k in range(rng.choice([1, 1, 2, 3])):
            out[f"p{person}-{k}"] = _variant(rng, p)
    batch = [records.prepare(r, "Person", p, node.default_markings) for r, p in out.items()]
    with node.write() as conn:
        records.write_batch(conn, batch, origin=node.country, actor="test")
    return out


def _stored(
    node: Node,
) -> tuple[dict[tuple[str, str], tuple[float, dict[str, float]]], dict[str, str]]:
    with node.read() as conn:
        pairs = {
            (a, b): (w, json.loads(f))
            for a, b, w, f in conn.execute(
                select(
                    resolve_pairs.c.left_id,
                    resolve_pairs.c.right_id,
                    resolve_pairs.c.weight,
                    resolve_pairs.c.fields,
                )
            )
        }
        mapping = dict(
            conn.execute(select(resolve_clusters.c.record_id, resolve_clusters.c.cluster_id)).all()
        )
    return pairs, mapping


def _reference(node: Node, people: dict[str, dict[str, Any]], previous: dict[str, str]) -> Any:
    profile = PROFILES["Person"]
    with node.read() as conn:
        loaded = load_model(conn, "Person")
        same, not_same = decisions.split(decisions.in_force(conn))
    assert loaded is not None
    ids = sorted(people)
    rows = [extract("Person", people[r]) for r in ids]
    keep = THRESHOLDS.weight(THRESHOLDS.keep)
    _, pred = run(profile, ids, rows, model=loaded[0], threshold_weight=keep)
    pairs = {}
    for rec in pred.to_dict("records"):
        fields = {}
        for c in profile.comparisons:
            adj = rec.get(f"mw_tf_adj_{c.name}")
            fields[c.name] = rec[f"mw_{c.name}"] + (adj if adj == adj and adj else 0.0)
        pairs[ordered(rec["unique_id_l"], rec["unique_id_r"])] = (rec["match_weight"], fields)
    edges = [(a, b, w) for (a, b), (w, _) in pairs.items()]
    comps = cluster(ids, edges, THRESHOLDS.weight(THRESHOLDS.link), same, not_same)
    return pairs, assign_ids(comps, previous)


def test_streamed_run_equals_the_in_memory_path(node: Node) -> None:
    people = _people(node, 560, seed=11)
    assert len(people) > SMALL.train_max  # trained on a sample
    report = resolve_group(node, "Person", "test", limits=SMALL)
    assert report.records == len(people) and report.merged > 100
    pairs, mapping = _stored(node)
    want_pairs, want_mapping = _reference(node, people, {})
    assert pairs.keys() == want_pairs.keys()
    for key, (weight, fields) in want_pairs.items():
        assert pairs[key][0] == pytest.approx(weight, abs=1e-6)
        assert pairs[key][1] == pytest.approx(fields, abs=1e-4)
    assert mapping == want_mapping
    with node.read() as conn:
        names = {ix["name"] for ix in inspect(conn).get_indexes("resolve_keys")}
        n_keys = len(conn.execute(select(resolve_keys.c.key)).all())
    assert names == {"ix_resolve_keys_key", "ix_resolve_keys_record"}  # rebuilt
    assert n_keys > len(people)

    # decisions and previous ids: a re-run obeys the one and keeps the others
    linked = sorted(k for k, (w, _) in pairs.items() if w > 5)
    split, joined = linked[0], ("p0-0", "p1-0")
    with node.write() as conn:
        decisions.decide(conn, *split, "not_same", "test", "")
        decisions.decide(conn, *joined, "same", "test", "")
    resolve_group(node, "Person", "test", limits=SMALL)
    _, again = _stored(node)
    _, want_again = _reference(node, people, mapping)
    assert again == want_again
    assert again[split[0]] != again[split[1]] and again[joined[0]] == again[joined[1]]


def test_components_equal_cluster() -> None:
    rng = random.Random(5)
    for _ in range(30):
        n = rng.randrange(2, 40)
        names = [f"r{i:02d}" for i in range(n)]
        linked = {ordered(*rng.sample(names, 2)) for _ in range(rng.randrange(n * 2))}
        edges = [(a, b, rng.choice([-3.0, 1.0, 2.0, 2.0, 7.0])) for a, b in sorted(linked)]
        same = [tuple(rng.sample(names, 2)) for _ in range(rng.randrange(3))]
        not_same = [tuple(rng.sample(names, 2)) for _ in range(rng.randrange(4))]
        want = sorted(cluster(names, edges, 0.0, same, not_same))  # type: ignore[arg-type]
        strong = sorted((e for e in edges if e[2] >= 0), key=lambda e: (-e[2], e[0], e[1]))
        number = {r: i for i, r in enumerate(names)}
        roots = components(
            n,
            [[(number[a], number[b]) for a, b, _ in strong]],
            [(number[a], number[b]) for a, b in same],
            [(number[a], number[b]) for a, b in not_same],
        )
        got: dict[int, list[str]] = {}
        for i, root in enumerate(roots):
            got.setdefault(root, []).append(names[i])
        assert sorted(got.values()) == want


def test_cluster_ids_avoid_ids_in_use(tmp_path: Path) -> None:
    with Workspace(tmp_path, PROFILES["Person"], SMALL) as ws:
        row = extract("Person", {"name": ["Ana Ruiz"]})
        ws.add([("x", 1, row), ("y", 1, row), ("z", 1, row)])
        taken = fresh_id(["y"])
        previous = {"x": taken, "z": "E-old"}
        ws.add_previous(previous.items())
        ws.name_clusters([0, 1, 2])
        got = dict(r for batch in ws.stored_clusters() for r in batch)
    assert got == assign_ids([["x"], ["y"], ["z"]], previous)
    assert got["x"] == taken and got["y"] == f"{taken}-1" and got["z"] == "E-old"
