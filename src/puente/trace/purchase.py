"""What a match tells about the gun's first retail purchase: the dealer, the purchaser,
the time to crime and the trafficking flags (short time to crime, multiple sale).

A multiple sale is, after ATF Form 3310.4 and the southwest-border demand letter for
rifles, two or more guns of the same class (rifles, or handguns) bought by one purchaser
within five business days — in one visit or several.

Invariant: ``assess`` reads only; the result it returns is the node's full internal
finding (purchaser record id included) and is never sent as is — ``release`` decides
what leaves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import Connection, Select, and_, bindparam, or_, select

from puente.store.tables import records, trace_guns
from puente.trace.describe import HANDGUNS
from puente.trace.match import Match

SHORT_TTC_DAYS = 3 * 365
SALE_WINDOW = 5  # business days
_REACH = timedelta(days=9)  # five business days never span more than nine calendar days
_IN = 2000
_SALE_COLUMNS = (
    trace_guns.c.purchaser_id,
    trace_guns.c.purchase_date,
    trace_guns.c.type_key,
    trace_guns.c.acquisition_id,
)
_RANGES = 64


@lru_cache(maxsize=2)
def _sales_query(size: int) -> Select[Any]:
    """Purchases in any of ``size`` (purchaser, first day, last day) ranges: built once
    per size, so a page only binds values."""
    return select(*_SALE_COLUMNS, trace_guns.c.id).where(
        or_(
            *(
                and_(
                    trace_guns.c.purchaser_id == bindparam(f"p{i}"),
                    trace_guns.c.purchase_date >= bindparam(f"l{i}"),
                    trace_guns.c.purchase_date <= bindparam(f"h{i}"),
                )
                for i in range(size)
            )
        )
    )


_PROPS = select(records.c.id, records.c.properties).where(
    records.c.id.in_(bindparam("ids", expanding=True))
)


def time_to_crime(purchased: str, recovered: str) -> int:
    return (date.fromisoformat(recovered) - date.fromisoformat(purchased)).days


def business_span(a: date, b: date) -> int:
    """Business days covered from ``a`` to ``b`` inclusive (a ≤ b), weekends excluded."""
    days, d = 0, a
    while d <= b:
        days += d.weekday() < 5
        d += timedelta(days=1)
    return days


def _class(type_key: str) -> str:
    return "handgun" if type_key in HANDGUNS else type_key


def _window(gun: dict[str, Any]) -> tuple[str, str] | None:
    if not gun["purchaser_id"] or not gun["purchase_date"]:
        return None
    day = date.fromisoformat(gun["purchase_date"])
    return (day - _REACH).isoformat(), (day + _REACH).isoformat()


def _sales(conn: Connection, guns: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    """The purchases of each gun's purchaser around its purchase date, for a batch of
    guns: one index range (purchaser, dates) per gun, ``_RANGES`` ranges a statement."""
    wanted = sorted({(g["purchaser_id"], *w) for g in guns if (w := _window(g))})
    out: dict[str, list[Any]] = defaultdict(list)
    seen: set[int] = set()  # a purchase inside two guns' windows is read twice
    size = 1 if len(wanted) == 1 else _RANGES
    for k in range(0, len(wanted), size):
        chunk = wanted[k : k + size]
        chunk += [chunk[-1]] * (size - len(chunk))  # a statement's size is fixed
        params = {f"{n}{i}": v for i, r in enumerate(chunk) for n, v in zip("plh", r, strict=True)}
        for row in conn.execute(_sales_query(size), params).all():
            if row.id not in seen:
                seen.add(row.id)
                out[row.purchaser_id].append(row)
    return out


def _multiple(gun: dict[str, Any], rows: Iterable[Any]) -> dict[str, Any] | None:
    window = _window(gun)
    if window is None:
        return None
    lo, hi = window
    day = date.fromisoformat(gun["purchase_date"])
    kind = _class(gun["type_key"])
    near = [
        r
        for r in rows
        if lo <= r.purchase_date <= hi
        and _class(r.type_key) == kind
        and business_span(*sorted((day, date.fromisoformat(r.purchase_date)))) <= SALE_WINDOW
    ]
    if len(near) < 2:
        return None
    return {
        "guns": len(near),
        "class": kind,
        "acquisitions": len({r.acquisition_id for r in near}),
        "from": min(r.purchase_date for r in near),
        "to": max(r.purchase_date for r in near),
    }


def multiple_sale(conn: Connection, gun: dict[str, Any]) -> dict[str, Any] | None:
    """The multiple sale the purchase of ``gun`` belongs to, if any."""
    return _multiple(gun, _sales(conn, [gun]).get(gun["purchaser_id"], []))


def _record_props(conn: Connection, ids: Iterable[str]) -> dict[str, dict[str, list[str]]]:
    wanted = sorted({i for i in ids if i})
    out: dict[str, dict[str, list[str]]] = {}
    for k in range(0, len(wanted), _IN):
        for rid, props in conn.execute(_PROPS, {"ids": wanted[k : k + _IN]}).all():
            out[rid] = orjson.loads(props)
    return out


def _dealer(gun: dict[str, Any], props: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "id": gun["dealer_id"],
        "name": (props.get("name") or [""])[0],
        "license": gun["dealer_license"] or (props.get("licenseNumber") or [""])[0],
        "address": (props.get("address") or [""])[0],
        "state": gun["state"],
    }


def dealer(conn: Connection, gun: dict[str, Any]) -> dict[str, Any]:
    return _dealer(gun, _record_props(conn, [gun["dealer_id"]]).get(gun["dealer_id"], {}))


def assess(conn: Connection, found: Match, recovered: str) -> dict[str, Any]:
    """The internal finding for one trace item."""
    return assess_many(conn, [(found, recovered)])[0]


def assess_many(conn: Connection, found: Sequence[tuple[Match, str]]) -> list[dict[str, Any]]:
    """``assess`` for each (match, recovery date); dealers and sales read per batch."""
    dealers = _record_props(conn, (c.gun["dealer_id"] for m, _ in found for c in m.candidates))
    firsts = [m.best.gun for m, _ in found if m.status == "completed" and m.best is not None]
    sales = _sales(conn, firsts)
    out = []
    for m, recovered in found:
        result: dict[str, Any] = {
            "status": m.status,
            "confidence": m.confidence,
            "reasons": m.reasons,
            "candidates": [
                {**c.to_dict(), "dealer": _dealer(c.gun, dealers.get(c.gun["dealer_id"], {}))}
                for c in m.candidates
            ],
        }
        out.append(result)
        best = m.best
        if m.status != "completed" or best is None:
            continue
        g = best.gun
        ttc = time_to_crime(g["purchase_date"], recovered)
        result.update(
            acquisition=g["acquisition_id"],
            firearm=g["firearm_id"],
            purchase_date=g["purchase_date"],
            time_to_crime_days=ttc,
            dealer=_dealer(g, dealers.get(g["dealer_id"], {})),
            purchaser_id=g["purchaser_id"],
            flags={
                "short_time_to_crime": ttc < SHORT_TTC_DAYS,
                "multiple_sale": _multiple(g, sales.get(g["purchaser_id"], [])),
            },
        )
    return out
