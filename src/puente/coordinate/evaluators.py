"""The typed evaluators behind computed indicators: a small registry of query kinds,
each a function of (connection, parameters, time window) reading what the node did.

Kinds: ``trace_count``, ``trace_answer_days``, ``trace_within_days``,
``seizures_traced`` (the ``trace`` tables), ``exchange_records`` (the exchange ledger),
``records`` (records held, by schema and origin), and two generic kinds over any table of
a capability, named in the definition and checked against the live schema:
``table_count`` and ``within_deadline`` (done by the due time: hit/no-hit follow-ups).

A capability's tables may be missing only while the capability has not landed: an
evaluator whose capability has no migration in ``store/migrations/versions`` answers
*unavailable* (never a made-up zero); a landed capability with a missing table or
column is an error. Invariant: evaluators only read, and the SQL they run names only
tables and columns that exist (identifiers are checked, values are bound).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from statistics import mean, median, quantiles
from typing import Any

from sqlalchemy import Connection, MetaData, Table, and_, func, inspect, select

from puente.errors import InvalidInput
from puente.store.tables import (
    exchange_inbox,
    exchange_outbox,
    metadata,
    records,
    trace_items,
    trace_requests,
)
from puente.trace.status import FINISHED


@dataclass(frozen=True)
class Window:
    """``[start, end)`` as ISO dates (``start`` empty: since the beginning) and the
    moment of evaluation (deadlines not yet passed are not counted as missed)."""

    start: str
    end: str
    now: str


@dataclass(frozen=True)
class Outcome:
    value: float | None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def available(self) -> bool:
        return self.value is not None


Fn = Callable[[Connection, Mapping[str, Any], Window], Outcome]


@dataclass(frozen=True)
class Kind:
    name: str
    capability: str
    params: Mapping[str, tuple[Any, ...]]  # name -> allowed values (() = any of its type)
    defaults: Mapping[str, Any]
    fn: Fn


REGISTRY: dict[str, Kind] = {}


def kind(
    name: str, capability: str, params: Mapping[str, tuple[Any, ...]], **defaults: Any
) -> Callable[[Fn], Fn]:
    def register(fn: Fn) -> Fn:
        REGISTRY[name] = Kind(name, capability, params, defaults, fn)
        return fn

    return register


@cache
def landed(capability: str) -> bool:
    """A capability has landed when a migration named after it exists."""
    folder = resources.files("puente.store").joinpath("migrations").joinpath("versions")
    return any(capability in entry.name for entry in folder.iterdir())


def _in(column: Any, window: Window) -> Any:
    cond = column < window.end
    return and_(column >= window.start, cond) if window.start else cond


def _days(start: str, end: str) -> float:
    a = datetime.fromisoformat(start.replace("Z", "+00:00"))
    b = datetime.fromisoformat(end.replace("Z", "+00:00"))
    return (b - a).total_seconds() / 86400.0


def _statuses(value: Any) -> list[str] | None:
    if value in ("any", None):
        return None
    if value == "finished":
        return sorted(FINISHED)
    return [str(v) for v in (value if isinstance(value, list) else [value])]


_JOIN = and_(
    trace_requests.c.direction == trace_items.c.direction,
    trace_requests.c.id == trace_items.c.request_id,
)
DIRECTION = ("out", "in")


@kind(
    "trace_count",
    "trace",
    {
        "direction": DIRECTION,
        "count": ("requests", "items"),
        "status": (),
        "date": ("sent", "answered"),
    },
    status="any",
    date="sent",
    count="requests",
)
def trace_count(conn: Connection, p: Mapping[str, Any], w: Window) -> Outcome:
    """Trace requests (or guns) sent in the window — or, with ``date: answered``, whose
    items reached a finished status in it — optionally at the given statuses."""
    statuses = _statuses(p["status"])
    answered = p["date"] == "answered"
    if answered and statuses is None:
        statuses = sorted(FINISHED)
    when = trace_items.c.updated_at if answered else trace_requests.c.created_at
    target = trace_requests.c.id if p["count"] == "requests" else trace_items.c.request_id
    conds = [trace_requests.c.direction == p["direction"], _in(when, w)]
    if statuses is not None:
        conds.append(trace_items.c.status.in_(statuses))
    if p["count"] == "requests":
        query = select(func.count(func.distinct(target)))
    else:
        query = select(func.count())
    n = conn.execute(query.select_from(trace_requests.join(trace_items, _JOIN)).where(*conds))
    return Outcome(float(n.scalar_one()))


def _answer_times(conn: Connection, direction: str, w: Window) -> list[float]:
    rows = conn.execute(
        select(trace_requests.c.created_at, trace_items.c.updated_at)
        .select_from(trace_requests.join(trace_items, _JOIN))
        .where(
            trace_requests.c.direction == direction,
            trace_items.c.status.in_(sorted(FINISHED)),
            _in(trace_items.c.updated_at, w),
        )
    )
    return [max(0.0, _days(a, b)) for a, b in rows]


@kind(
    "trace_answer_days",
    "trace",
    {"direction": DIRECTION, "statistic": ("median", "mean", "p90")},
    statistic="median",
)
def trace_answer_days(conn: Connection, p: Mapping[str, Any], w: Window) -> Outcome:
    """Days from a request being sent to each gun's answer, for answers in the window."""
    days = _answer_times(conn, p["direction"], w)
    if not days:
        return Outcome(None, {"reason": "no_answers"})
    stat = p["statistic"]
    if stat == "median":
        value = median(days)
    elif stat == "mean":
        value = mean(days)
    else:
        value = quantiles(days, n=10, method="inclusive")[-1] if len(days) > 1 else days[0]
    return Outcome(round(value, 2), {"answers": len(days)})


@kind("trace_within_days", "trace", {"direction": DIRECTION, "days": ()}, days=30)
def trace_within_days(conn: Connection, p: Mapping[str, Any], w: Window) -> Outcome:
    """Share (%) of guns sent in the window whose deadline (sent + ``days``) has passed or
    that were answered, answered within the deadline."""
    limit = float(p["days"])
    rows = conn.execute(
        select(trace_requests.c.created_at, trace_items.c.updated_at, trace_items.c.status)
        .select_from(trace_requests.join(trace_items, _JOIN))
        .where(trace_requests.c.direction == p["direction"], _in(trace_requests.c.created_at, w))
    ).all()
    due = on_time = 0
    for sent, updated, status in rows:
        done = status in FINISHED
        if not done and _days(sent, w.now) <= limit:
            continue  # still within its deadline: neither met nor missed yet
        due += 1
        on_time += int(done and _days(sent, updated) <= limit)
    if not due:
        return Outcome(None, {"reason": "none_due"})
    return Outcome(round(100.0 * on_time / due, 2), {"due": due, "on_time": on_time})


@kind("seizures_traced", "trace", {"status": ()}, status=["completed"])
def seizures_traced(conn: Connection, p: Mapping[str, Any], w: Window) -> Outcome:
    """Seizures (the Recovery a request names) sent for tracing in the window with at least
    one gun traced (by default: to a first retail purchase)."""
    statuses = _statuses(p["status"]) or sorted(FINISHED)
    n = conn.execute(
        select(func.count(func.distinct(trace_requests.c.seizure)))
        .select_from(trace_requests.join(trace_items, _JOIN))
        .where(
            trace_requests.c.direction == "out",
            trace_requests.c.seizure != "",
            trace_items.c.status.in_(statuses),
            _in(trace_requests.c.created_at, w),
        )
    ).scalar_one()
    return Outcome(float(n))


@kind("exchange_records", "exchange", {"way": ("sent", "received"), "partner": ()}, partner="")
def exchange_records(conn: Connection, p: Mapping[str, Any], w: Window) -> Outcome:
    """Distinct records shared (upserts in the ledger) in the window, one way."""
    table: Table = exchange_outbox if p["way"] == "sent" else exchange_inbox
    when = table.c.created_at if p["way"] == "sent" else table.c.received_at
    conds = [table.c.op == "upsert", _in(when, w)]
    if p["partner"]:
        conds.append(table.c.partner == str(p["partner"]).upper())
    n = conn.execute(
        select(func.count(func.distinct(table.c.partner + ":" + table.c.record_id))).where(*conds)
    ).scalar_one()
    return Outcome(float(n))


@kind("records", "initial", {"schema": (), "origin": ("own", "received", "any")}, origin="any")
def held_records(conn: Connection, p: Mapping[str, Any], w: Window) -> Outcome:
    """Records of the given schemata first held in the window (own or received)."""
    schemata = p["schema"] if isinstance(p["schema"], list) else [p["schema"]]
    conds = [records.c.schema.in_([str(s) for s in schemata]), _in(records.c.created_at, w)]
    if p["origin"] != "any":
        country = str(p["_here"])
        conds.append(
            records.c.origin == country if p["origin"] == "own" else records.c.origin != country
        )
    n = conn.execute(select(func.count()).select_from(records).where(*conds)).scalar_one()
    return Outcome(float(n))


def _table(conn: Connection, name: str, columns: list[str]) -> Table:
    """A capability's table, its named columns checked against the live schema."""
    if not inspect(conn).has_table(name):
        raise InvalidInput("coordinate.table_missing", table=name)
    have = {c["name"] for c in inspect(conn).get_columns(name)}
    for col in columns:
        if col not in have:
            raise InvalidInput("coordinate.column_missing", table=name, column=col)
    table = metadata.tables.get(name)
    return table if table is not None else Table(name, MetaData(), autoload_with=conn)


def _where(table: Table, where: Any) -> list[Any]:
    conds = []
    for col, value in dict(where).items():
        values = value if isinstance(value, list) else [value]
        conds.append(table.c[str(col)].in_([str(v) for v in values]))
    return conds


@kind(
    "table_count",
    "",
    {"table": (), "time_column": (), "where": (), "distinct": ()},
    where={},
    distinct="",
)
def table_count(conn: Connection, p: Mapping[str, Any], w: Window) -> Outcome:
    """Rows (or distinct values of ``distinct``) of a capability's table in the window,
    filtered by ``where`` (column: value or list of values)."""
    distinct = str(p["distinct"])
    cols = [str(p["time_column"]), *map(str, dict(p["where"])), *([distinct] if distinct else [])]
    table = _table(conn, str(p["table"]), cols)
    conds = [_in(table.c[str(p["time_column"])], w), *_where(table, p["where"])]
    what = func.count(func.distinct(table.c[distinct])) if distinct else func.count()
    n = conn.execute(select(what).select_from(table).where(*conds)).scalar_one()
    return Outcome(float(n))


@kind(
    "within_deadline",
    "",
    {"table": (), "start_column": (), "due_column": (), "done_column": (), "where": ()},
    where={},
)
def within_deadline(conn: Connection, p: Mapping[str, Any], w: Window) -> Outcome:
    """Share (%) of rows started in the window, past due or done, done by their due time."""
    start, due_c, done_c = str(p["start_column"]), str(p["due_column"]), str(p["done_column"])
    table = _table(conn, str(p["table"]), [start, due_c, done_c, *map(str, dict(p["where"]))])
    rows = conn.execute(
        select(table.c[due_c], table.c[done_c]).where(
            _in(table.c[start], w), *_where(table, p["where"])
        )
    ).all()
    due = on_time = 0
    for due_at, done_at in rows:
        if not done_at and (due_at or "") > w.now:
            continue  # still open and not yet due
        due += 1
        on_time += int(bool(done_at) and done_at <= (due_at or ""))
    if not due:
        return Outcome(None, {"reason": "none_due"})
    return Outcome(round(100.0 * on_time / due, 2), {"due": due, "on_time": on_time})


def check_params(kind_name: str, params: Mapping[str, Any], capability: str = "") -> dict[str, Any]:
    """A definition's parameters with defaults filled, or ``InvalidInput`` naming the bad one."""
    spec = REGISTRY.get(kind_name)
    if spec is None:
        raise InvalidInput("coordinate.unknown_kind", kind=kind_name)
    merged = {**spec.defaults, **params}
    for key, value in merged.items():
        if key not in spec.params:
            raise InvalidInput("coordinate.bad_param", kind=kind_name, param=key)
        allowed = spec.params[key]
        if allowed and value not in allowed:
            raise InvalidInput("coordinate.bad_param", kind=kind_name, param=key)
    missing = [k for k in spec.params if k not in merged]
    if missing:
        raise InvalidInput("coordinate.missing_param", kind=kind_name, param=missing[0])
    if not spec.capability and not capability:
        raise InvalidInput("coordinate.missing_param", kind=kind_name, param="capability")
    return merged


def run(
    conn: Connection,
    kind_name: str,
    params: Mapping[str, Any],
    window: Window,
    *,
    here: str,
    capability: str = "",
) -> Outcome:
    """Evaluate ``kind_name``; *unavailable* while its capability has not landed."""
    spec = REGISTRY[kind_name]
    needs = capability or spec.capability
    if not landed(needs):
        return Outcome(None, {"reason": "not_landed", "capability": needs})
    return spec.fn(conn, {**check_params(kind_name, params, capability), "_here": here}, window)
