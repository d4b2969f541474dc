"""Network analysis: planted networks, the real cartel networks, and scale.

- planted: a scenario world (``--size`` records; 100k, or 20k with ``--quick``) loaded
  into one MX node — its own files through ``load_file``, the US files as received
  copies (as if every US record had been released) — with the entity clusters of the
  scenario's truth (``--resolution truth``, isolating network analysis from resolution
  errors) or of Puente's own resolution (``--resolution puente``). Then the service's
  path: communities (Leiden) scored by ARI / NMI against ``networks.csv`` restricted to
  members of exactly one network, and whether each planted broker (and leader) ranks
  in the top 10 of its network's members by key-player betweenness;
- cartels: the 150 Mexican criminal groups of 2020 loaded through ``load_cartels``;
  the largest alliance communities and the key players of the whole tie network;
- scale: synthetic graphs with community structure (sizes 5–500, 80 % of edges inside
  communities) — 100k / 500k in this process, 1M / 5M in a child process (skipped
  with ``--quick``) for its own peak memory: components + Leiden + sampled betweenness
  (k = 100) through ``puente.network.analytics`` (``leiden_and_betweenness``: Leiden
  on one thread while the compiled, GIL-free betweenness searches run on the others),
  side by side with igraph's raw calls on the same edges, one after the other as
  igraph can only run them (the ratio), and with networkx (connected components,
  Louvain — it has no Leiden — and sampled betweenness) on a 10k / 50k graph.

    python bench/network.py --quick       # ~2–4 minutes on two shared cores
    python bench/network.py               # + 1M / 5M and the 100k-record world

Ends with one JSON line: planted_ari, planted_nmi, brokers_in_top10, leaders_in_top10,
seconds_100k, cpu_100k (CPU seconds of all threads: what the work costs on a shared
machine), igraph_raw_100k, igraph_raw_cpu_100k, ratio_raw_100k, seconds_1m, cpu_1m,
peak_mb_1m, networkx_10k, ours_10k, ratio_networkx_10k, cartel_communities, cartel_top.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import igraph as ig
import numpy as np

from puente.ingest.load import load_file
from puente.model.markings import Markings
from puente.network import analytics, service
from puente.network.cartels import load_cartels
from puente.network.graph import Edges, Entity, NetworkGraph
from puente.node import Node, init_node
from puente.scenario import generate
from puente.store import db, records
from puente.store.partners import add_partner
from puente.store.tables import resolve_clusters
from puente.store.users import SYSTEM

CARTELS = Path(__file__).resolve().parents[2] / "shared" / "data" / "mexico-cartels-2020"
warnings.filterwarnings("ignore", category=RuntimeWarning)


# --- planted networks -------------------------------------------------------------


def load_world(world: Path, node: Node) -> None:
    with node.write() as conn:
        add_partner(conn, "USA", "https://us.example", node.public_key)
    for f in sorted((world / "mx").glob("*.jsonl")):
        load_file(node, f)
    cache: dict[str, Markings] = {}
    batch = []
    for f in sorted((world / "us").glob("*.jsonl")):
        for line in f.open(encoding="utf-8"):
            o = json.loads(line)
            key = json.dumps(o["markings"], sort_keys=True)
            if key not in cache:
                cache[key] = Markings.parse(o["markings"], originator="USA")
            batch.append(
                records.prepare(f"USA:{o['id']}", o["schema"], o["properties"], cache[key])
            )
    with node.write() as conn:
        records.write_batch(conn, batch, origin="USA", actor="exchange:USA")


def local(row: dict[str, str]) -> str:
    return row["record_id"] if row["node"] == "mx" else f"USA:{row['record_id']}"


def truth_clusters(world: Path, node: Node) -> None:
    rows = []
    for name, col, grp in (("persons.csv", "person_id", "Person"),
                           ("firearms.csv", "gun_id", "Firearm"),
                           ("vessels.csv", "vessel_id", "Vessel")):  # fmt: skip
        for r in csv.DictReader((world / "truth" / name).open(encoding="utf-8")):
            rows.append({"record_id": local(r), "cluster_id": f"T{r[col]}", "grp": grp})
    with node.write() as conn:
        db.upsert(conn, resolve_clusters, rows, ["record_id"])


def planted(size: int, resolution: str) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-network-"))
    t0 = time.perf_counter()
    generate(tmp / "world", size=size, seed=7)
    node = init_node(tmp / "node", "MX")
    load_world(tmp / "world", node)
    t1 = time.perf_counter()
    if resolution == "truth":
        truth_clusters(tmp / "world", node)
    else:
        from puente.resolve import service as resolve

        resolve.run(node, SYSTEM, ["Person", "Firearm", "Vessel"], incremental=False)
    t2 = time.perf_counter()
    graph = service.graph_for(node, SYSTEM)
    t3 = time.perf_counter()
    labels = analytics.leiden(graph)
    ties = service.graph_for(node, SYSTEM, ties=True)
    ranked, exact = analytics.centrality(ties)
    t4 = time.perf_counter()
    # person id → entity id through the clusters the graph used
    from puente.network.entities import entity_ids

    people = defaultdict(set)
    for r in csv.DictReader((tmp / "world" / "truth" / "persons.csv").open(encoding="utf-8")):
        people[r["person_id"]].add(local(r))
    with node.read() as conn:
        emap = entity_ids(conn, sorted({x for s in people.values() for x in s}))
    member: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for r in csv.DictReader((tmp / "world" / "truth" / "networks.csv").open(encoding="utf-8")):
        ents = Counter(emap[x] for x in people[r["person_id"]])
        if ents:  # a member without any Person record cannot be found
            member[ents.most_common(1)[0][0]].add((r["network_id"], r["role"]))
    nets = sorted({n for s in member.values() for n, _ in s})
    t_lab, d_lab = [], []
    for eid, roles in member.items():
        ns = {n for n, _ in roles}
        if eid in graph.index and len(ns) == 1:
            t_lab.append(nets.index(ns.pop()))
            d_lab.append(labels[graph.index[eid]])
    score = {r.id: (r.betweenness, r.degree) for r in ranked}
    hits: dict[str, list[bool]] = {"broker": [], "leader": []}
    for n in nets:
        ms = [e for e, roles in member.items() if any(x == n for x, _ in roles)]
        order = sorted(ms, key=lambda e: (-score.get(e, (0.0, 0))[0], -score.get(e, (0, 0))[1], e))
        for e in ms:
            for x, role in member[e]:
                if x == n and role in hits:
                    hits[role].append(order.index(e) < 10)
    node.close()
    shutil.rmtree(tmp, ignore_errors=True)
    return {
        "size": size,
        "resolution": resolution,
        "networks": len(nets),
        "members_scored": len(t_lab),
        "entities": graph.n,
        "edges": len(graph.edges),
        "planted_ari": round(ig.compare_communities(t_lab, d_lab, method="ari"), 3),
        "planted_nmi": round(ig.compare_communities(t_lab, d_lab, method="nmi"), 3),
        "brokers_in_top10": round(sum(hits["broker"]) / max(len(hits["broker"]), 1), 3),
        "brokers": len(hits["broker"]),
        "leaders_in_top10": round(sum(hits["leader"]) / max(len(hits["leader"]), 1), 3),
        "betweenness_exact": exact,
        "seconds_generate_load": round(t1 - t0, 1),
        "seconds_resolve": round(t2 - t1, 1),
        "seconds_graph": round(t3 - t2, 1),
        "seconds_analyse": round(t4 - t3, 1),
    }


# --- the real cartel networks ---------------------------------------------------------


def cartels() -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-cartels-"))
    node = init_node(tmp / "node", "MX")
    load_cartels(node, CARTELS, actor="bench")
    alliances = service.communities(node, SYSTEM, service.Filters(kinds=("alliance",)), limit=5)
    players = service.key_players(node, SYSTEM, k=5, top=10)
    node.close()
    shutil.rmtree(tmp, ignore_errors=True)
    return {
        "groups_in_graph": players["entities"],
        "communities": alliances["communities"],
        "largest": [
            [m["caption"] for m in c["members"][:4]] + [f"({c['size']})"]
            for c in alliances["items"][:5]
        ],
        "top": [r["caption"] for r in players["centrality"][:10]],
        "kpp_neg": players["kpp_neg"],
    }


# --- scale ------------------------------------------------------------------------------


def synthetic(n: int, m: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    sizes = np.minimum(np.maximum((rng.pareto(1.5, n // 20) + 1) * 5, 5), 500).astype(np.int64)
    bounds = np.cumsum(sizes)
    bounds = bounds[bounds < n]
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [n]))
    intra = int(m * 0.8)
    comm = rng.choice(len(starts), intra, p=(ends - starts) / n)
    width = ends[comm] - starts[comm]
    a = starts[comm] + (rng.random(intra) * width).astype(np.int64)
    b = starts[comm] + (rng.random(intra) * width).astype(np.int64)
    a = np.concatenate((a, rng.integers(0, n, m - intra)))
    b = np.concatenate((b, rng.integers(0, n, m - intra)))
    return a, b


def as_graph(n: int, a: np.ndarray, b: np.ndarray) -> NetworkGraph:
    ents = [Entity(f"e{i}", "Person", f"e{i}", ("MEX",), 1, (f"e{i}",)) for i in range(n)]
    m = len(a)
    edges = Edges(a, b, np.zeros(m, dtype=np.int64), np.ones(m, dtype=bool),
                  np.ones(m), np.ones(m, dtype=np.int64), [""] * m, [""] * m, ["call"])  # fmt: skip
    return NetworkGraph(ents, edges)


def ours(graph: NetworkGraph) -> dict[str, float]:
    t0 = time.perf_counter()
    graph.simple  # noqa: B018 - build the simple graph (timed apart)
    t1, c1 = time.perf_counter(), time.process_time()
    comps = analytics.components(graph)
    # Leiden on this thread while the compiled betweenness searches run beside it
    labels, btw, _ = analytics.leiden_and_betweenness(
        graph, samples=100, endpoints=analytics.actors(graph)
    )
    t2, c2 = time.perf_counter(), time.process_time()
    # CPU seconds of every thread: on a shared machine, what the work costs
    return {"build": t1 - t0, "analyse": t2 - t1, "cpu": c2 - c1, "components": len(comps),
            "communities": len(set(labels)), "max_btw": max(btw)}  # fmt: skip


def raw(n: int, a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """igraph's own calls on the same edges: seconds and CPU seconds."""
    g = ig.Graph(n=n, edges=np.column_stack((a, b)).tolist())
    g.simplify(combine_edges="sum")
    t0, c0 = time.perf_counter(), time.process_time()
    g.connected_components()
    g.community_leiden(objective_function="modularity", n_iterations=2)
    g.betweenness(directed=False, sources=random.Random(1).sample(range(n), 100))
    return time.perf_counter() - t0, time.process_time() - c0


def networkx_side(n: int, m: int) -> dict[str, float]:
    import networkx as nx

    a, b = synthetic(n, m, seed=3)
    h = nx.Graph()
    h.add_nodes_from(range(n))
    h.add_edges_from(zip(a.tolist(), b.tolist(), strict=True))
    h.remove_edges_from(nx.selfloop_edges(h))
    t0 = time.perf_counter()
    list(nx.connected_components(h))
    nx.community.louvain_communities(h, seed=1)
    nx.betweenness_centrality(h, k=100, seed=1)
    t_nx = time.perf_counter() - t0
    mine = ours(as_graph(n, a, b))
    return {"networkx_10k": round(t_nx, 2), "ours_10k": round(mine["analyse"], 2),
            "ratio_networkx_10k": round(t_nx / mine["analyse"], 1)}  # fmt: skip


def scale_child(n: int) -> None:
    a, b = synthetic(n, 5 * n)
    graph = as_graph(n, a, b)
    t0 = time.perf_counter()
    stats = ours(graph)
    total = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"n": n, "m": 5 * n, "seconds": round(stats["analyse"], 1),
                      "cpu": round(stats["cpu"], 1),
                      "seconds_with_build": round(total, 1), "peak_mb": round(peak),
                      "components": stats["components"], "communities": stats["communities"]}))  # fmt: skip


def child(n: int) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, "--scale-child", str(n)],
                          capture_output=True, text=True, check=False)  # fmt: skip
    line = (proc.stdout.strip().splitlines() or ["{}"])[-1]
    return json.loads(line) if line.startswith("{") else {"error": proc.stderr[-300:]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--size", type=int, default=0, help="scenario size (records)")
    ap.add_argument("--resolution", choices=("truth", "puente"), default="truth")
    ap.add_argument("--scale-child", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.scale_child:
        scale_child(args.scale_child)
        return
    out: dict[str, Any] = {}
    p = planted(args.size or (20_000 if args.quick else 100_000), args.resolution)
    print("planted", json.dumps(p), file=sys.stderr)
    c = cartels()
    print("cartels", json.dumps(c, ensure_ascii=False), file=sys.stderr)
    a, b = synthetic(100_000, 500_000)
    mine = ours(as_graph(100_000, a, b))
    peer, peer_cpu = raw(100_000, a, b)
    print("100k", json.dumps(mine), "igraph raw", round(peer, 2), file=sys.stderr)
    nx_side = networkx_side(10_000, 50_000)
    print("networkx", json.dumps(nx_side), file=sys.stderr)
    out.update({k: p[k] for k in ("planted_ari", "planted_nmi", "brokers_in_top10",
                                  "leaders_in_top10", "resolution")})  # fmt: skip
    out.update({"seconds_100k": round(mine["analyse"], 2), "cpu_100k": round(mine["cpu"], 2),
                "build_100k": round(mine["build"], 2),
                "igraph_raw_100k": round(peer, 2), "igraph_raw_cpu_100k": round(peer_cpu, 2),
                "ratio_raw_100k": round(mine["analyse"] / peer, 2), **nx_side})  # fmt: skip
    if not args.quick:
        big = child(1_000_000)
        print("1m", json.dumps(big), file=sys.stderr)
        out.update({"seconds_1m": big.get("seconds"), "cpu_1m": big.get("cpu"),
                    "seconds_1m_with_build":
                    big.get("seconds_with_build"), "peak_mb_1m": big.get("peak_mb")})  # fmt: skip
    out.update({"cartel_communities": c["communities"], "cartel_top": c["top"][:5]})
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
