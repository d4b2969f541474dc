"""Tracing indicators, computed on either node from the trace items it holds: the
requesting node from what partners released, the answering node from its own findings.

Traces by recovery state and month; the share traced to a US retail purchase; the time
to crime (median, quartiles, share under three years); top source dealers and states;
calibres, types and the categories that matter on the border (.50 calibre, AK- and
AR-type); purchasers and dealers linked to several recoveries (the requesting node sees
purchasers only as the partner's pseudonymous refs); multiple sales.

Invariant: indicators are a pure function of the ``trace_items`` rows of one direction:
nothing is cached, so they always agree with the items a user can list.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass
from statistics import median, quantiles
from typing import Any

from sqlalchemy import select

from puente.access import require_role
from puente.node import Node
from puente.store.tables import trace_items
from puente.store.users import User
from puente.trace.describe import category
from puente.trace.status import FINISHED

TOP = 10
LINKED = 2  # a purchaser or dealer behind at least this many recoveries is listed


@dataclass(frozen=True)
class Indicators:
    side: str  # out (requests we sent) | in (requests we answered)
    items: int
    by_status: dict[str, int]
    by_state_month: list[dict[str, Any]]
    traced_share: float  # finished items traced to a first retail purchase
    time_to_crime: dict[str, Any]
    top_dealers: list[dict[str, Any]]
    top_source_states: list[dict[str, Any]]
    calibres: dict[str, int]
    types: dict[str, int]
    categories: dict[str, int]
    linked_purchasers: list[dict[str, Any]]
    linked_dealers: list[dict[str, Any]]
    multiple_sale_share: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ttc(days: list[int]) -> dict[str, Any]:
    if not days:
        return {
            "count": 0,
            "median_days": None,
            "p25_days": None,
            "p75_days": None,
            "short_share": None,
            "histogram": {},
        }
    q = quantiles(days, n=4) if len(days) > 1 else [days[0]] * 3
    bands = Counter("<1y" if d < 365 else "1-3y" if d < 1095 else ">3y" for d in days)
    return {
        "count": len(days),
        "median_days": median(days),
        "p25_days": q[0],
        "p75_days": q[2],
        "short_share": round(sum(d < 1095 for d in days) / len(days), 4),
        "histogram": {k: bands.get(k, 0) for k in ("<1y", "1-3y", ">3y")},
    }


def _top(counter: Counter[str], name: str, minimum: int = 1) -> list[dict[str, Any]]:
    return [{name: k, "traces": n} for k, n in counter.most_common(TOP) if n >= minimum and k]


def compute(node: Node, user: User, side: str = "") -> Indicators:
    require_role(user, "analyst", "secretariat", "releasing_officer")
    with node.read() as conn:
        if not side:
            has_out = conn.execute(
                select(trace_items.c.item).where(trace_items.c.direction == "out").limit(1)
            ).first()
            side = "out" if has_out else "in"
        rows = conn.execute(
            select(
                trace_items.c.status,
                trace_items.c.firearm,
                trace_items.c.recovery,
                trace_items.c.result,
            ).where(trace_items.c.direction == side)
        ).all()
    statuses: Counter[str] = Counter()
    state_month: Counter[tuple[str, str]] = Counter()
    dealers: Counter[str] = Counter()
    states: Counter[str] = Counter()
    purchasers: Counter[str] = Counter()
    calibres: Counter[str] = Counter()
    types: Counter[str] = Counter()
    cats: Counter[str] = Counter()
    days: list[int] = []
    multiple = 0
    for row in rows:
        gun, rec, res = json.loads(row.firearm), json.loads(row.recovery), json.loads(row.result)
        statuses[row.status] += 1
        state_month[(rec.get("state", ""), rec.get("date", "")[:7])] += 1
        calibres[gun.get("caliber") or "?"] += 1
        types[gun.get("type") or "?"] += 1
        cats[category(gun.get("make", ""), gun.get("model", ""), gun.get("caliber", ""))] += 1
        if row.status != "completed":
            continue
        days.append(int(res["time_to_crime_days"]))
        d = res.get("dealer") or {}
        dealers[f"{d.get('name', '')} ({d.get('license', '')})"] += 1
        states[d.get("state", "")] += 1
        purchasers[res.get("purchaser_ref") or res.get("purchaser_id") or ""] += 1
        multiple += bool((res.get("flags") or {}).get("multiple_sale"))
    finished = sum(n for s, n in statuses.items() if s in FINISHED)
    traced = statuses.get("completed", 0)
    return Indicators(
        side=side,
        items=len(rows),
        by_status=dict(statuses),
        by_state_month=[
            {"state": s, "month": m, "traces": n} for (s, m), n in sorted(state_month.items())
        ],
        traced_share=round(traced / finished, 4) if finished else 0.0,
        time_to_crime=_ttc(days),
        top_dealers=_top(dealers, "dealer"),
        top_source_states=_top(states, "state"),
        calibres=dict(calibres.most_common()),
        types=dict(types.most_common()),
        categories={k: cats.get(k, 0) for k in ("fifty", "ak", "ar", "other")},
        linked_purchasers=_top(purchasers, "purchaser", LINKED),
        linked_dealers=_top(dealers, "dealer", LINKED),
        multiple_sale_share=round(multiple / traced, 4) if traced else 0.0,
    )
