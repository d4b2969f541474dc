"""What users do with resolution — run it, read clusters, explain pairs, review, decide —
with roles, clearance and audit applied in one place for the API and the CLI.

Invariant: a user never learns anything about a record above their clearance through
resolution: cluster listings count such members without naming them, the review queue
and explanations skip or refuse pairs that involve them. Every decision and undo is
audited and re-clusters the two records' clusters in the same transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from puente.errors import Forbidden, InvalidInput, NotFound
from puente.node import Node
from puente.resolve import decisions, state
from puente.resolve.clusters import ordered
from puente.resolve.explain import Scorer
from puente.resolve.features import GROUPS, group_of
from puente.resolve.incremental import IncrementalReport, recluster, resolve_changes
from puente.resolve.pipeline import THRESHOLDS, RunReport, resolve_group
from puente.store.tables import records, resolve_decisions, resolve_pairs
from puente.store.users import User

ROLE = "analyst"


def _need(user: User) -> None:
    if not user.has(ROLE):
        raise Forbidden("error.role", role=ROLE)


def check_group(group: str) -> str:
    if group not in GROUPS:
        raise InvalidInput("resolve.bad_group", value=group[:64], allowed=", ".join(GROUPS))
    return group


def levels(conn: Connection, ids: list[str]) -> dict[str, tuple[int, str]]:
    out: dict[str, tuple[int, str]] = {}
    for i in range(0, len(ids), 500):
        query = select(records.c.id, records.c.level, records.c.caption).where(
            records.c.id.in_(ids[i : i + 500])
        )
        out.update({r: (lv, cap) for r, lv, cap in conn.execute(query)})
    return out


def run(node: Node, user: User, groups: list[str], incremental: bool) -> list[dict[str, Any]]:
    _need(user)
    out: list[dict[str, Any]] = []
    for group in groups:
        check_group(group)
        with node.read() as conn:
            has_model = state.load_model(conn, group) is not None
        if incremental and has_model:
            inc: IncrementalReport = resolve_changes(node, group)
            out.append({"mode": "incremental", **inc.to_dict()})
        else:
            full: RunReport = resolve_group(node, group, user.username)
            out.append({"mode": "full", **full.to_dict()})
    return out


def cluster(node: Node, user: User, cluster_id: str) -> dict[str, Any]:
    _need(user)
    with node.read() as conn:
        ids = state.members(conn, [cluster_id]).get(cluster_id)
        if not ids:
            raise NotFound("resolve.no_cluster", id=cluster_id[:64])
        seen = levels(conn, ids)
        visible = [i for i in ids if i in seen and seen[i][0] <= user.clearance]
        pairs = [
            p for p in state.pairs_touching(conn, visible) if p[0] in visible and p[1] in visible
        ]
    return {
        "cluster_id": cluster_id,
        "members": [{"id": i, "caption": seen[i][1]} for i in visible],
        "hidden_members": len(ids) - len(visible),
        "pairs": [{"left_id": a, "right_id": b, "match_weight": round(w, 4)} for a, b, w in pairs],
    }


def cluster_of(node: Node, user: User, rid: str) -> dict[str, Any]:
    _need(user)
    with node.read() as conn:
        found = state.clusters_of(conn, [rid])
        level = levels(conn, [rid]).get(rid)
    if level is not None and level[0] > user.clearance:
        raise Forbidden("error.clearance", id=rid)
    if rid not in found:
        raise NotFound("resolve.unresolved", id=rid[:200])
    return cluster(node, user, found[rid])


def explain(node: Node, user: User, a: str, b: str) -> dict[str, Any]:
    _need(user)
    with node.read() as conn:
        seen = levels(conn, [a, b])
        for rid in (a, b):
            if rid not in seen:
                raise NotFound("error.no_record", id=rid[:200])
            if seen[rid][0] > user.clearance:
                raise Forbidden("error.clearance", id=rid)
        group = group_of(_schema(conn, a)) or ""
        if not group or group != group_of(_schema(conn, b)):
            raise InvalidInput("resolve.other_group", left=a[:200], right=b[:200])
        feats = state.features_of(conn, [a, b])
        if a not in feats or b not in feats:
            raise NotFound("resolve.unresolved", id=(b if a in feats else a)[:200])
        loaded = state.load_model(conn, group)
        stored = state.pair(conn, a, b)
        history = decisions.history(conn, a, b)
        in_force = decisions.in_force(conn, [a, b]).get(ordered(a, b))
        cl = state.clusters_of(conn, [a, b])
    if loaded is None:
        raise NotFound("resolve.no_model", group=group)
    left, right = ordered(a, b)
    expl = Scorer(loaded[0]).explain(left, feats[left], right, feats[right])
    return {
        **expl.to_dict(),
        "stored": stored,
        "same_cluster": cl.get(a) is not None and cl.get(a) == cl.get(b),
        "decision": in_force.to_dict() if in_force else None,
        "history": [d.to_dict() for d in history],
    }


def _schema(conn: Connection, rid: str) -> str:
    return str(conn.execute(select(records.c.schema).where(records.c.id == rid)).scalar_one())


def review_queue(
    node: Node, user: User, group: str, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """Pairs in the uncertain band without a judgement in force, most uncertain first."""
    _need(user)
    check_group(group)
    t = THRESHOLDS
    out: list[dict[str, Any]] = []
    with node.read() as conn:
        query = (
            select(resolve_pairs.c.left_id, resolve_pairs.c.right_id, resolve_pairs.c.probability)
            .where(
                resolve_pairs.c.grp == group,
                resolve_pairs.c.probability >= t.review_low,
                resolve_pairs.c.probability < t.review_high,
            )
            .order_by(resolve_pairs.c.left_id, resolve_pairs.c.right_id)
        )
        band = list(conn.execute(query))
        ids = sorted({r for a, b, _ in band for r in (a, b)})
        decided = decisions.in_force(conn, ids)
        seen = levels(conn, ids)
        open_ = [
            (abs(p - 0.5), a, b, p)
            for a, b, p in band
            if (a, b) not in decided
            and all(r in seen and seen[r][0] <= user.clearance for r in (a, b))
        ]
        open_.sort()
        for _, a, b, p in open_[offset : offset + limit]:
            out.append(
                {
                    "left_id": a,
                    "right_id": b,
                    "match_probability": round(p, 6),
                    "left_caption": seen[a][1],
                    "right_caption": seen[b][1],
                }
            )
    return out


def decide(
    node: Node, user: User, a: str, b: str, judgement: str, note: str = ""
) -> dict[str, Any]:
    _need(user)
    with node.write() as conn:
        seen = levels(conn, [a, b])
        if any(r in seen and seen[r][0] > user.clearance for r in (a, b)):
            raise Forbidden("error.clearance", id=a if seen.get(a, (0,))[0] > user.clearance else b)
        made = decisions.decide(conn, a, b, judgement, user.username, note)
        group = group_of(_schema(conn, a)) or ""
        if group:
            recluster(conn, group, [a, b])
        node.audit.append(
            conn,
            user.username,
            "resolve_decide",
            f"{made.left_id}|{made.right_id}",
            {"judgement": judgement, "decision": made.id},
        )
        cl = state.clusters_of(conn, [a, b])
    return {**made.to_dict(), "clusters": cl}


def undo(node: Node, user: User, decision_id: int, note: str = "") -> dict[str, Any]:
    _need(user)
    with node.write() as conn:
        made = decisions.undo(conn, decision_id, user.username, note)
        group = group_of(_schema(conn, made.left_id)) or ""
        if group:
            recluster(conn, group, [made.left_id, made.right_id])
        node.audit.append(
            conn, user.username, "resolve_undo", str(decision_id), {"decision": made.id}
        )
        cl = state.clusters_of(conn, [made.left_id, made.right_id])
    return {**made.to_dict(), "clusters": cl}


def decisions_list(node: Node, user: User, limit: int = 100) -> list[dict[str, Any]]:
    _need(user)
    with node.read() as conn:
        rows = conn.execute(
            select(resolve_decisions).order_by(resolve_decisions.c.id.desc()).limit(limit)
        ).all()
    return [decisions.from_row(r).to_dict() for r in rows]
