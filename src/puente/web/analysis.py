"""Small analytics over the link chart's current view: degree, betweenness (Brandes),
communities (Louvain's local moving), shortest paths — enough for a neighbourhood of a few
hundred nodes until the network-analysis package brings igraph.

Invariant: every function is a pure, deterministic function of the adjacency it is
given (nodes visited in sorted order, ties broken by id), so the same view always
highlights the same key players and communities.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable

from puente.web.graph import GraphSource, Subgraph

Adjacency = dict[str, set[str]]


def degree(adj: Adjacency) -> dict[str, int]:
    return {n: len(nbrs) for n, nbrs in adj.items()}


def betweenness(adj: Adjacency) -> dict[str, float]:
    """Brandes' algorithm on the undirected, unweighted graph (unnormalised, each pair
    counted once)."""
    score = dict.fromkeys(adj, 0.0)
    for s in sorted(adj):
        stack: list[str] = []
        preds: dict[str, list[str]] = {n: [] for n in adj}
        sigma = dict.fromkeys(adj, 0.0)
        sigma[s] = 1.0
        dist = dict.fromkeys(adj, -1)
        dist[s] = 0
        queue = deque([s])
        while queue:
            v = queue.popleft()
            stack.append(v)
            for w in sorted(adj[v]):
                if dist[w] < 0:
                    dist[w] = dist[v] + 1
                    queue.append(w)
                if dist[w] == dist[v] + 1:
                    sigma[w] += sigma[v]
                    preds[w].append(v)
        delta = dict.fromkeys(adj, 0.0)
        while stack:
            w = stack.pop()
            for v in preds[w]:
                delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w])
            if w != s:
                score[w] += delta[w]
    return {n: v / 2.0 for n, v in score.items()}


def key_players(adj: Adjacency, top: int = 3) -> list[str]:
    """The ``top`` nodes by betweenness, then degree; only nodes that broker at all."""
    btw = betweenness(adj)
    deg = degree(adj)
    ranked = sorted(adj, key=lambda n: (-btw[n], -deg[n], n))
    return [n for n in ranked if btw[n] > 0 or deg[n] > 2][:top]


def communities(adj: Adjacency, rounds: int = 30) -> dict[str, int]:
    """Louvain's local-moving phase: each node, in id order, joins the neighbouring
    community with the largest modularity gain (or stays alone if none gains), until no
    node moves; communities numbered 0, 1, 2… by their smallest member."""
    edges = sum(len(n) for n in adj.values()) / 2.0
    community = {n: n for n in adj}
    if edges == 0:
        return {n: i for i, n in enumerate(sorted(adj))}
    total = {n: float(len(adj[n])) for n in adj}  # sum of degrees per community
    for _ in range(rounds):
        moved = False
        for n in sorted(adj):
            k = float(len(adj[n]))
            own = community[n]
            total[own] -= k
            links = Counter(community[m] for m in adj[n])
            best, gain = own, links.get(own, 0) - total[own] * k / (2 * edges)
            for c in sorted(links):
                g = links[c] - total[c] * k / (2 * edges)
                if g > gain + 1e-12:
                    best, gain = c, g
            community[n] = best
            total[best] = total.get(best, 0.0) + k
            moved = moved or best != own
        if not moved:
            break
    first: dict[str, str] = {}
    for n in sorted(adj):
        first.setdefault(community[n], n)
    order = sorted(first.values())
    return {n: order.index(first[community[n]]) for n in adj}


def shortest_path(adj: Adjacency, a: str, b: str) -> list[str]:
    """Breadth-first path from ``a`` to ``b`` (empty when none)."""
    if a not in adj or b not in adj:
        return []
    prev: dict[str, str | None] = {a: None}
    queue = deque([a])
    while queue:
        v = queue.popleft()
        if v == b:
            path = [b]
            while (p := prev[path[-1]]) is not None:
                path.append(p)
            return path[::-1]
        for w in sorted(adj[v]):
            if w not in prev:
                prev[w] = v
                queue.append(w)
    return []


def find_path(
    source: GraphSource,
    sub: Subgraph,
    a: str,
    b: str,
    *,
    hops: int = 4,
    max_nodes: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> list[str]:
    """Expand ``sub`` from both ends, one ring at a time, until ``a`` and ``b`` meet or
    ``hops`` rings are read; ``sub`` keeps what was read so the path can be drawn."""
    seen: set[str] = set()
    for ring in range(hops + 1):
        path = shortest_path(sub.adjacency(), a, b)
        if path or ring == hops or len(sub.nodes) > max_nodes:
            return path
        frontier = sorted(n for n in sub.nodes if n not in seen) or [a, b]
        seen.update(frontier)
        sub.merge(source.expand(frontier))
        if progress is not None:
            progress(ring + 1)
    return []
