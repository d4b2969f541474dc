"""Clusters from scored pairs and decisions, with ids that stay put.

Clustering is greedy and constrained: "same" decisions are applied first, then model
links in descending weight (≥ the link threshold); two components are never joined if
a "not same" decision names one record in each. So decisions always override the model,
even against a chain of strong links (the weakest link of such a chain is the one cut).

Invariant (ids): at any moment each cluster id names exactly one cluster. After a
re-clustering, a cluster keeps the id of the previous cluster whose members it holds
most of (largest clusters choose first; ties go to the smaller id); a cluster that
inherits nothing gets ``E`` + the first 20 hex digits of sha256 over its sorted member
ids (with a counter appended in the improbable case that id is in use). So adding a
record to an entity, or moving one record out, never renames the entity.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

Pair = tuple[str, str]


def ordered(a: str, b: str) -> Pair:
    return (a, b) if a < b else (b, a)


class _Components:
    """Union-find with cannot-link constraints over ``parent`` (a dict of record ids, or
    a list indexed by integer record numbers: a full run's millions of records)."""

    def __init__(self, parent: Any, cannot: Iterable[tuple[Any, Any]]) -> None:
        self.parent = parent
        self.cannot: dict[Any, set[Any]] = defaultdict(set)
        for a, b in cannot:
            self.cannot[a].add(b)
            self.cannot[b].add(a)

    def find(self, x: Any) -> Any:
        parent = self.parent
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: Any, b: Any) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        small, big = (
            (ra, rb) if len(self.cannot.get(ra, ())) < len(self.cannot.get(rb, ())) else (rb, ra)
        )
        if any(self.find(x) == big for x in self.cannot.get(small, ())):
            return False
        self.parent[small] = big
        if small in self.cannot:
            self.cannot[big].update(self.cannot.pop(small))
        return True


def cluster(
    records: Iterable[str],
    edges: Iterable[tuple[str, str, float]],
    threshold: float,
    same: Sequence[Pair] = (),
    not_same: Sequence[Pair] = (),
) -> list[list[str]]:
    """Components (each sorted) of ``records`` under the rules in the module docstring."""
    parent = {r: r for r in records}
    comps = _Components(parent, ((a, b) for a, b in not_same if a in parent and b in parent))
    for a, b in same:
        if a in parent and b in parent:
            comps.union(a, b)
    blocked = {ordered(a, b) for a, b in not_same}
    strong = sorted(
        ((w, a, b) for a, b, w in edges if w >= threshold and a in parent and b in parent),
        key=lambda e: (-e[0], e[1], e[2]),
    )
    for _, a, b in strong:
        if ordered(a, b) not in blocked:
            comps.union(a, b)
    groups: dict[str, list[str]] = defaultdict(list)
    for r in parent:
        groups[comps.find(r)].append(r)
    return [sorted(g) for g in groups.values()]


def components(
    n: int,
    links: Iterable[Sequence[tuple[int, int]]],
    same: Sequence[tuple[int, int]] = (),
    not_same: Sequence[tuple[int, int]] = (),
) -> list[int]:
    """``cluster`` over records numbered ``0..n-1``: each record's component root.
    ``links`` are batches of the links at or above the threshold, strongest first (the
    order ``cluster`` applies them in); decisions name record numbers."""
    comps = _Components(list(range(n)), not_same)
    for a, b in same:
        comps.union(a, b)
    blocked = {(min(a, b), max(a, b)) for a, b in not_same}
    for batch in links:
        for a, b in batch:
            if not blocked or (min(a, b), max(a, b)) not in blocked:
                comps.union(a, b)
    return [comps.find(i) for i in range(n)]


def fresh_id(members: Sequence[str]) -> str:
    digest = hashlib.sha256("\n".join(sorted(members)).encode("utf-8")).hexdigest()
    return "E" + digest[:20]


def assign_ids(
    components: Sequence[Sequence[str]],
    previous: Mapping[str, str],
    taken: Iterable[str] = (),
) -> dict[str, str]:
    """record id → cluster id, keeping previous ids as the module docstring says.

    ``taken`` are ids in use by clusters outside ``components`` (incremental updates
    re-cluster a neighbourhood only); they are never handed out here."""
    claimed = set(taken)
    in_use = claimed | set(previous.values())
    out: dict[str, str] = {}
    order = sorted(range(len(components)), key=lambda i: (-len(components[i]), components[i][0]))
    for i in order:
        members = components[i]
        overlap = Counter(previous[m] for m in members if m in previous)
        chosen = None
        for cid, _ in sorted(overlap.items(), key=lambda kv: (-kv[1], kv[0])):
            if cid not in claimed:
                chosen = cid
                break
        if chosen is None:
            chosen = fresh_id(members)
            n = 1
            while chosen in in_use:
                chosen = f"{fresh_id(members)}-{n}"
                n += 1
        claimed.add(chosen)
        in_use.add(chosen)
        for m in members:
            out[m] = chosen
    return out
