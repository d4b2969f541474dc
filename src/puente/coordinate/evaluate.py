"""Evaluating computed indicators: on demand (one indicator and period, or every own
computed indicator for its current and previous period) and on a schedule.

Invariants: a node evaluates only the computed indicators it owns, from its own tables
(the partner evaluates its own; both results travel as observations). One evaluation is
one transaction: the observation (a new version only when the value changed), the row
in ``coordinate_evaluations`` and the audit entry. An unavailable result (a capability
not landed, no answers yet) writes no observation — a missing value is never a zero.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from puente.access import require_role
from puente.coordinate import evaluators
from puente.coordinate.definitions import Definition, definitions
from puente.coordinate.indicators import get_indicator, write_computed
from puente.coordinate.items import Indicator, load
from puente.coordinate.periods import Period
from puente.coordinate.writes import ROLE
from puente.errors import InvalidInput
from puente.node import Node
from puente.store.audit import now
from puente.store.tables import coordinate_evaluations
from puente.store.users import SYSTEM, User


@dataclass(frozen=True)
class Evaluation:
    indicator: str
    period: str
    value: float | None
    outcome: str  # ok | unavailable
    changed: bool
    observation: str
    detail: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def window(defn: Definition, period: Period, moment: str) -> evaluators.Window:
    start = "" if defn.window == "cumulative" else period.start.isoformat()
    if defn.window == "cumulative" and defn.since:
        start = defn.since
    return evaluators.Window(start, period.end.isoformat(), moment)


def evaluate_one(
    conn: Connection, node: Node, user: User, ind: Indicator, period: Period
) -> Evaluation:
    if ind.origin != node.country or ind.kind != "computed":
        raise InvalidInput("coordinate.not_computed", id=ind.id)
    defn = definitions(node).get(ind.evaluator)
    if defn is None:
        raise InvalidInput("coordinate.unknown_definition", name=ind.evaluator or "-")
    moment = now()
    result = evaluators.run(
        conn, defn.kind, defn.params, window(defn, period, moment),
        here=node.country, capability=defn.capability,
    )  # fmt: skip
    obs, changed = "", False
    if result.value is not None:
        obs, changed = write_computed(conn, node, user, ind, period.code, result.value, moment[:10])
    outcome = "ok" if result.value is not None else "unavailable"
    conn.execute(
        coordinate_evaluations.insert().values(
            indicator_id=ind.id, period=period.code, outcome=outcome, value=result.value,
            detail=json.dumps(result.detail, sort_keys=True), observation_id=obs,
            evaluated_at=moment, actor=user.username,
        )
    )  # fmt: skip
    return Evaluation(ind.id, period.code, result.value, outcome, changed, obs, result.detail)


def evaluate(node: Node, user: User, indicator: str = "", period: str = "") -> list[Evaluation]:
    """Evaluate one own computed indicator (or all), for ``period`` or for the period in
    course and the one before it (late answers still count there)."""
    require_role(user, ROLE)
    out: list[Evaluation] = []
    with node.read() as conn:
        if indicator:
            targets = [get_indicator(conn, node, indicator)]
        else:
            targets = [
                i for i in load(conn, node.country, 3).indicators.values()
                if i.kind == "computed" and i.origin == node.country
            ]  # fmt: skip
    for ind in targets:
        if period:
            periods = [Period.parse(period)]
        else:
            current = Period.containing(datetime.now(UTC).date(), ind.periodicity)
            periods = [current.previous(), current]
        for p in periods:
            with node.write() as conn:
                out.append(evaluate_one(conn, node, user, ind, p))
                node.audit.append(
                    conn, user.username, "coordinate_evaluate", ind.id,
                    {"period": p.code, "value": out[-1].value},
                )  # fmt: skip
    return out


def last_evaluated(conn: Connection) -> dict[str, str]:
    rows = conn.execute(
        select(
            coordinate_evaluations.c.indicator_id, func.max(coordinate_evaluations.c.evaluated_at)
        ).group_by(coordinate_evaluations.c.indicator_id)
    )
    return {r[0]: r[1] for r in rows}


def run_due(node: Node, every: timedelta = timedelta(hours=1)) -> list[Evaluation]:
    """The scheduled pass: every own computed indicator not evaluated within ``every``."""
    cutoff = (datetime.now(UTC) - every).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with node.read() as conn:
        last = last_evaluated(conn)
        due = [
            i.id for i in load(conn, node.country, 3).indicators.values()
            if i.kind == "computed" and i.origin == node.country and last.get(i.id, "") < cutoff
        ]  # fmt: skip
    out: list[Evaluation] = []
    for rid in due:
        out.extend(evaluate(node, SYSTEM, rid))
    return out
