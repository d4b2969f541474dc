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

import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, select

from puente.store.tables import records, trace_guns
from puente.trace.describe import HANDGUNS
from puente.trace.match import Match

SHORT_TTC_DAYS = 3 * 365
SALE_WINDOW = 5  # business days
_SALES = select(
    trace_guns.c.purchase_date, trace_guns.c.type_key, trace_guns.c.acquisition_id
).where(
    trace_guns.c.purchaser_id == bindparam("p"),
    trace_guns.c.purchase_date >= bindparam("lo"),
    trace_guns.c.purchase_date <= bindparam("hi"),
)
_PROPS = select(records.c.properties).where(records.c.id == bindparam("id"))


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


def multiple_sale(conn: Connection, gun: dict[str, Any]) -> dict[str, Any] | None:
    """The multiple sale the purchase of ``gun`` belongs to, if any."""
    if not gun["purchaser_id"] or not gun["purchase_date"]:
        return None
    day = date.fromisoformat(gun["purchase_date"])
    lo, hi = (day - timedelta(days=9)).isoformat(), (day + timedelta(days=9)).isoformat()
    rows = conn.execute(_SALES, {"p": gun["purchaser_id"], "lo": lo, "hi": hi}).all()
    kind = _class(gun["type_key"])
    near = [
        r
        for r in rows
        if _class(r.type_key) == kind
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


def _record_props(conn: Connection, rid: str) -> dict[str, list[str]]:
    row = conn.execute(_PROPS, {"id": rid}).first()
    return json.loads(row.properties) if row else {}


def dealer(conn: Connection, gun: dict[str, Any]) -> dict[str, Any]:
    props = _record_props(conn, gun["dealer_id"]) if gun["dealer_id"] else {}
    return {
        "id": gun["dealer_id"],
        "name": (props.get("name") or [""])[0],
        "license": gun["dealer_license"] or (props.get("licenseNumber") or [""])[0],
        "address": (props.get("address") or [""])[0],
        "state": gun["state"],
    }


def assess(conn: Connection, found: Match, recovered: str) -> dict[str, Any]:
    """The internal finding for one trace item."""
    out: dict[str, Any] = {
        "status": found.status,
        "confidence": found.confidence,
        "reasons": found.reasons,
        "candidates": [{**c.to_dict(), "dealer": dealer(conn, c.gun)} for c in found.candidates],
    }
    best = found.best
    if found.status != "completed" or best is None:
        return out
    g = best.gun
    ttc = time_to_crime(g["purchase_date"], recovered)
    out.update(
        acquisition=g["acquisition_id"],
        firearm=g["firearm_id"],
        purchase_date=g["purchase_date"],
        time_to_crime_days=ttc,
        dealer=dealer(conn, g),
        purchaser_id=g["purchaser_id"],
        flags={
            "short_time_to_crime": ttc < SHORT_TTC_DAYS,
            "multiple_sale": multiple_sale(conn, g),
        },
    )
    return out
