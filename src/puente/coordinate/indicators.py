"""Indicators and their observations.

An indicator has a definition, unit, baseline, target, periodicity and direction, and is
``computed`` (its ``evaluator`` names a declared definition, see ``definitions``) or
``reported`` (values entered by hand or imported). An observation is one value for one
period as known on its ``asOf`` date, with its source.

Invariants:
- a reported value is never overwritten: a different value (or source) for a period that
  already has one becomes a *new* observation that ``supersedes`` the one in force, so
  both values stay and the chain is the figure's revision history; the same value from
  the same source again writes nothing (re-importing a file is a no-op);
- a computed value lives in one observation per (indicator, period) whose versions are
  its history (``record_versions``): re-evaluation that finds a different value writes a
  new version, the same value writes nothing;
- observation ids are derived from (indicator, period, revision), so a revision written
  twice by two runs collides instead of forking.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, select

from puente.access import require_role
from puente.coordinate import vocab
from puente.coordinate.items import Indicator, Observation, parse
from puente.coordinate.periods import Period
from puente.coordinate.writes import ROLE, following, markings_for, save
from puente.errors import InvalidInput, NotFound
from puente.model.markings import Markings
from puente.model.record import Record
from puente.node import Node
from puente.store import records
from puente.store.tables import records as records_t
from puente.store.users import User

_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")[:80] or "x"


def indicator_id(code: str) -> str:
    return f"ind-{slug(code)}"


def _number(field: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    try:
        return repr(float(value)) if not isinstance(value, int) else str(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInput("coordinate.bad_number", field=field, value=str(value)[:40]) from exc


def create_indicator(
    node: Node,
    user: User,
    *,
    code: str,
    name_es: str,
    name_en: str,
    unit: str,
    kind: str,
    periodicity: str,
    direction: str,
    definition_es: str = "",
    definition_en: str = "",
    evaluator: str = "",
    baseline: float | None = None,
    baseline_period: str = "",
    target: float | None = None,
    target_period: str = "",
    commitments: list[str] | None = None,
    markings: dict[str, Any] | None = None,
) -> Record:
    """Create (or, with the same code, update) an own indicator."""
    from puente.coordinate.definitions import definitions

    kind = vocab.check("kind", kind)
    if kind == "computed" and evaluator not in definitions(node):
        raise InvalidInput("coordinate.unknown_definition", name=evaluator or "-")
    for p in (baseline_period, target_period):
        if p:
            Period.parse(p)
    props = {
        "code": code,
        "nameEs": name_es,
        "nameEn": name_en,
        "definitionEs": definition_es,
        "definitionEn": definition_en,
        "unit": unit,
        "kind": kind,
        "evaluator": evaluator if kind == "computed" else "",
        "periodicity": vocab.check("periodicity", periodicity),
        "direction": vocab.check("direction", direction),
        "baseline": _number("baseline", baseline),
        "baselinePeriod": baseline_period,
        "target": _number("target", target),
        "targetPeriod": target_period,
        "commitments": list(commitments or []),
    }
    return save(
        node, user, indicator_id(code), "Indicator", props, markings_for(node, markings),
        action="indicator",
    )  # fmt: skip


def get_indicator(conn: Connection, node: Node, ref: str) -> Indicator:
    """An indicator by id (own or a copy) or by its code."""
    for rid in (ref, indicator_id(ref)):
        row = conn.execute(select(records_t).where(records_t.c.id == rid)).first()
        held = parse(row, node.country) if row is not None else None
        if isinstance(held, Indicator):
            return held
    raise NotFound("coordinate.no_indicator", id=ref)


def observation_id(indicator: str, period: str, revision: int | None = None) -> str:
    base = f"obs-{indicator.replace(':', '_')}-{period}"
    return base if revision is None else f"{base}-r{revision}"


def record_observation(
    node: Node,
    user: User,
    indicator: str,
    period: str,
    value: float,
    *,
    as_of: str,
    source: str = "",
    note: str = "",
    method: str = "reported",
    conn: Connection | None = None,
) -> tuple[Record | None, Observation | None]:
    """Report a value; returns ``(written, superseded)`` — ``written`` is ``None`` when the
    same value from the same source was already in force (nothing to do)."""
    require_role(user, ROLE)
    if conn is None:
        with node.write() as own:
            return record_observation(
                node, user, indicator, period, value,
                as_of=as_of, source=source, note=note, method=method, conn=own,
            )  # fmt: skip
    code = Period.parse(period).code
    number = _number("value", value)
    ind = get_indicator(conn, node, indicator)
    if ind.kind != "reported":
        raise InvalidInput("coordinate.not_reported", id=ind.id)
    chain = own_revisions(conn, node, ind.id, code)
    current = chain[-1] if chain else None
    if current is not None and current.value == float(number) and current.source == source:
        return None, None
    props = {
        "indicator": ind.id,
        "period": code,
        "value": number,
        "asOf": as_of,
        "source": source,
        "note": note,
        "method": method,
        "supersedes": current.id if current is not None else "",
    }
    rid = observation_id(ind.id, code, len(chain) + 1)
    written = save(
        node, user, rid, "Observation", props, ind_markings(node, ind),
        action="observe", expected_version=0, conn=conn,
    )  # fmt: skip
    return written, current


def own_revisions(conn: Connection, node: Node, indicator: str, period: str) -> list[Observation]:
    """This node's reported values for one period, in revision order (r1, r2…)."""
    prefix = observation_id(indicator, period) + "-r"
    rows = conn.execute(
        select(records_t).where(
            records_t.c.schema == "Observation",
            records_t.c.origin == node.country,
            records_t.c.id.like(prefix.replace("_", "\\_").replace("%", "\\%") + "%", escape="\\"),
        )
    ).all()
    found = [parse(r, node.country) for r in rows]
    chain = [o for o in found if isinstance(o, Observation)]
    return sorted(chain, key=lambda o: int(o.id.rsplit("-r", 1)[1]))


def ind_markings(node: Node, ind: Indicator) -> Markings:
    """Observations carry their indicator's markings (``writes.following``)."""
    return following(node, ind.origin, ind.markings)


def write_computed(
    conn: Connection, node: Node, user: User, ind: Indicator, period: str, value: float, as_of: str
) -> tuple[str, bool]:
    """Store a computed value; returns ``(observation id, changed)``."""
    rid = observation_id(ind.id, period)
    number = _number("value", value)
    try:
        held = records.get(conn, rid)
    except NotFound:
        held = None
    if held is not None and held.properties.get("value") == [number]:
        return rid, False
    props = {
        "indicator": ind.id,
        "period": period,
        "value": number,
        "asOf": as_of,
        "source": f"puente:{node.country}:{ind.evaluator}",
        "method": "computed",
    }
    save(node, user, rid, "Observation", props, ind.markings, action="evaluate", conn=conn)
    return rid, True
