"""What users do with the network — communities, key players, paths, neighbourhoods,
what-if, change over time, exports — with role, clearance and audit applied in one
place for the API and the CLI.

Invariant: every operation runs on the graph of the user's clearance
(``load.build_graph(conn, user.clearance)``), after bringing the derived tables up to
the change feed, so a user never sees an entity or an edge built from a record above
their clearance, and never sees a stale graph. An entity, record or edge record the
user's graph does not hold is "not in the graph" (``NotFound``), whether it exists or
not. Each operation writes one audit entry with what was asked and how much came back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from sqlalchemy import Connection, select

from puente.access import require_role
from puente.errors import InvalidInput, NotFound
from puente.network import analytics, change, derive, kpp, paths, stable
from puente.network.chains import with_chains
from puente.network.entities import entity_ids
from puente.network.graph import NetworkGraph
from puente.network.load import build_graph
from puente.network.relations import relations
from puente.node import Node
from puente.store.tables import network_edges
from puente.store.users import User

ROLES = ("analyst", "releasing_officer")
MAX_ID = 200
_ID_OK = re.compile(r"^[^\x00-\x1f\x7f]+$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
KPP_LIMIT = 5_000  # KPP sets are computed on graphs (or scopes) up to this many entities


@dataclass(frozen=True)
class Filters:
    kinds: tuple[str, ...] | None = None
    since: str | None = None
    until: str | None = None

    def scope(self) -> dict[str, object]:
        return {
            "kinds": ",".join(sorted(self.kinds)) if self.kinds else None,
            "since": self.since,
            "until": self.until,
        }


def refresh(node: Node, user: User) -> dict[str, Any]:
    require_role(user, *ROLES)
    return derive.refresh(node).to_dict()


def check_ref(ref: str) -> str:
    """An id as users give it: 1 to 200 printable characters."""
    if not ref or len(ref) > MAX_ID or not _ID_OK.match(ref):
        raise InvalidInput("network.bad_id", value=ref[:80].encode("unicode_escape").decode())
    return ref


def check_date(value: str | None) -> str | None:
    if value and not _DATE.match(value):
        raise InvalidInput("network.bad_date", value=value[:40].encode("unicode_escape").decode())
    return value or None


def graph_for(
    node: Node, user: User, filters: Filters = Filters(), *, ties: bool = False
) -> NetworkGraph:
    """The user's graph with ``filters`` applied; ``ties`` leaves out the commercial
    relations (``relations.yaml``) unless the filters name kinds."""
    require_role(user, *ROLES)
    check_date(filters.since)
    check_date(filters.until)
    derive.refresh(node)
    with node.read() as conn:
        graph = with_chains(node, user, conn, build_graph(conn, user.clearance))
    kinds = filters.kinds
    if kinds is None and ties:
        kinds = tuple(k for k in graph.kinds() if k not in relations().commercial)
    if kinds is None and not filters.since and not filters.until:
        return graph
    return graph.view(kinds=kinds, since=filters.since, until=filters.until)


def audit(node: Node, user: User, op: str, target: str, detail: dict[str, Any]) -> None:
    with node.write() as conn:
        node.audit.append(conn, user.username, f"network_{op}", target[:200], detail)


def locate(conn: Connection, graph: NetworkGraph, ref: str) -> list[int]:
    """Vertices for an entity id, a record id, or an edge record (all its ends)."""
    check_ref(ref)
    if ref in graph.index:
        return [graph.index[ref]]
    eid = entity_ids(conn, [ref])[ref]
    if eid in graph.index:
        return [graph.index[eid]]
    ends = conn.execute(
        select(network_edges.c.source, network_edges.c.target).where(
            network_edges.c.record_id == ref
        )
    ).all()
    refs = sorted({r for row in ends for r in row})
    found = sorted({graph.index[e] for e in entity_ids(conn, refs).values() if e in graph.index})
    if not found:
        raise NotFound("network.not_in_graph", id=ref[:200])
    return found


def communities(
    node: Node, user: User, filters: Filters = Filters(), *, min_size: int = 2, limit: int = 50
) -> dict[str, Any]:
    graph = graph_for(node, user, filters)
    labels = analytics.leiden(graph)
    scope = stable.scope_key(user.clearance, **filters.scope())
    with node.write() as conn:
        names = stable.stable_ids(conn, scope, graph.ids, labels)
    deg = analytics.degree(graph)
    groups: dict[str, list[int]] = {}
    for i, eid in enumerate(graph.ids):
        groups.setdefault(names[eid], []).append(i)
    rows = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    out = [
        {
            "id": cid,
            "size": len(members),
            "members": [
                {"id": graph.ids[i], "caption": graph.entities[i].caption, "degree": deg[i]}
                for i in sorted(members, key=lambda i: (-deg[i], graph.ids[i]))
            ],
        }
        for cid, members in rows
        if len(members) >= min_size
    ]
    result = {"scope": scope, "entities": graph.n, "communities": len(out), "items": out[:limit]}
    audit(node, user, "communities", scope, {"entities": graph.n, "communities": len(out)})
    return result


def key_players(
    node: Node,
    user: User,
    filters: Filters = Filters(),
    *,
    k: int = 10,
    samples: int = 100,
    community: str | None = None,
    top: int = 20,
) -> dict[str, Any]:
    if not 1 <= k <= 100 or not 1 <= samples <= 10_000 or not 1 <= top <= 1000:
        raise InvalidInput("network.bad_k", k=k)
    graph = graph_for(node, user, filters, ties=True)
    if community:
        check_ref(community)
        scope = stable.scope_key(user.clearance, **filters.scope())
        with node.read() as conn:
            members = [e for e, c in stable.load(conn, scope).items() if c == community]
        if not members:
            raise NotFound("network.no_community", id=community[:64])
        graph = graph.view(keep=members).without(set(graph.ids) - set(members))
    ranked, exact = analytics.centrality(graph, samples)
    result: dict[str, Any] = {
        "entities": graph.n,
        "exact": exact,
        "centrality": [r.__dict__ for r in ranked[:top]],
        "kpp_neg": None,
        "kpp_pos": None,
    }
    if 0 < graph.n <= KPP_LIMIT:
        btw = [0.0] * graph.n
        for r in ranked:
            btw[graph.index[r.id]] = r.betweenness
        neg = kpp.kpp_neg(graph.simple, k, btw)
        pos = kpp.kpp_pos(graph.simple, k)
        result["kpp_neg"] = {
            "members": [graph.ids[v] for v in neg.members],
            "fragmentation": [round(neg.baseline, 6), round(neg.score, 6)],
        }
        result["kpp_pos"] = {
            "members": [graph.ids[v] for v in pos.members],
            "reach": round(pos.score, 6),
        }
    audit(node, user, "key_players", community or "", {"entities": graph.n, "k": k})
    return result


def _describe(graph: NetworkGraph, path: Sequence[int]) -> dict[str, Any]:
    steps = [
        {
            "id": graph.ids[v],
            "caption": graph.entities[v].caption,
            "schema": graph.entities[v].schema,
        }
        for v in path
    ]
    pairs = {frozenset((graph.ids[a], graph.ids[b])) for a, b in pairwise(path)}
    edges = [e.to_dict() for e in graph.edge_list() if frozenset((e.source, e.target)) in pairs]
    return {"hops": len(path) - 1, "entities": steps, "edges": edges}


def path(
    node: Node, user: User, a: str, b: str, filters: Filters = Filters(), *, k: int = 1
) -> dict[str, Any]:
    if not 1 <= k <= paths.MAX_K:
        raise InvalidInput("network.bad_k", k=k)
    graph = graph_for(node, user, filters)
    with node.read() as conn:
        starts, ends = locate(conn, graph, a), locate(conn, graph, b)
    g = graph.simple
    found = [paths.shortest(g, starts, ends)] if k == 1 else paths.k_shortest(g, starts, ends, k)
    found = [p for p in found if p]
    audit(node, user, "path", f"{a}|{b}", {"paths": len(found), "k": k})
    return {"from": a, "to": b, "paths": [_describe(graph, p) for p in found]}


def whatif(
    node: Node, user: User, remove: Sequence[str], filters: Filters = Filters()
) -> dict[str, Any]:
    if not remove:
        raise InvalidInput("network.nothing_removed")
    graph = graph_for(node, user, filters, ties=True)
    with node.read() as conn:
        ids = sorted({graph.ids[v] for r in remove for v in locate(conn, graph, r)})
    result = change.whatif(graph, ids)
    audit(node, user, "whatif", ",".join(remove), {"removed": len(ids)})
    return result


def over_time(
    node: Node,
    user: User,
    *,
    at: str | None = None,
    days: int = 180,
    first: tuple[str, str] | None = None,
    second: tuple[str, str] | None = None,
    filters: Filters = Filters(),
) -> dict[str, Any]:
    if at:
        first, second = change.around(at, days)
    if first is None or second is None:
        raise InvalidInput("network.bad_window", since="", until="")
    graph = graph_for(node, user, Filters(filters.kinds), ties=True)
    result = change.windows(graph, first, second)
    audit(node, user, "change", at or f"{first}|{second}", {"entities": graph.n})
    return result
