"""Search: names (accent-, case- and order-insensitive) and identifiers (any format).

A query is normalised the way records were indexed (``puente.model.normalize``): its
name tokens must all occur in a record's names (the last one as a prefix, for
search-as-you-type), or its identifier/phone key must equal one of the record's keys.
Filters (schema, date range, classification, releasability, origin) and the caller's
clearance are applied in SQL, so a user never receives a row above their clearance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, text

from puente.model.normalize import identifier_key, name_tokens, phone_key
from puente.store import db


@dataclass
class SearchQuery:
    q: str = ""
    schemata: list[str] = field(default_factory=list)
    date_from: str | None = None
    date_to: str | None = None
    max_level: int = 3
    classification: str | None = None
    rel_to: str | None = None
    origin: str | None = None
    limit: int = 20
    offset: int = 0


@dataclass
class Hit:
    id: str
    schema: str
    caption: str
    level: int
    origin: str
    event_date: str | None
    markings: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def search(conn: Connection, query: SearchQuery) -> tuple[list[Hit], bool]:
    """Return up to ``limit`` hits and whether more exist."""
    from puente.model.markings import vocabulary

    tokens = name_tokens([query.q]) if query.q else []
    keys = {k for k in (identifier_key(query.q), phone_key(query.q)) if len(k) >= 3}
    sources = []
    params: dict[str, Any] = {}
    if tokens:
        sources.append(db.fts_match_sql(conn))
        params["q"] = db.fts_query(conn, tokens)
    if keys:
        sources.append("SELECT record_id FROM identifiers WHERE key IN :keys")
        params["keys"] = sorted(keys)
    where = ["r.level <= :max_level"]
    params["max_level"] = query.max_level
    if not sources and query.q:
        return [], False
    # Matches first (index look-ups), then the join to records: the planner never scans
    # the records table to test membership.
    source = (
        "(" + " UNION ".join(sources) + ") m JOIN records r ON r.id = m.record_id"
        if sources
        else "records r"
    )
    if query.schemata:
        where.append("r.schema IN :schemata")
        params["schemata"] = list(query.schemata)
    if query.date_from:
        where.append("r.event_date >= :date_from")
        params["date_from"] = query.date_from
    if query.date_to:
        where.append("r.event_date <= :date_to")
        params["date_to"] = query.date_to + "\uffff"
    if query.classification:
        where.append("r.level = :level")
        params["level"] = vocabulary().levels.get(query.classification, -1)
    if query.rel_to:
        where.append("r.rel_to LIKE :rel")
        params["rel"] = f"%,{query.rel_to},%"
    if query.origin:
        where.append("r.origin = :origin")
        params["origin"] = query.origin
    sql = (
        "SELECT r.id, r.schema, r.caption, r.level, r.origin, r.event_date, r.markings "
        f"FROM {source} WHERE " + " AND ".join(where) + " ORDER BY r.id LIMIT :lim OFFSET :off"
    )
    params["lim"] = query.limit + 1
    params["off"] = query.offset
    stmt = text(sql)
    expanding = [n for n in ("keys", "schemata") if n in params]
    if expanding:
        stmt = stmt.bindparams(*[bindparam(n, expanding=True) for n in expanding])
    rows = conn.execute(stmt, params).all()
    hits = [Hit(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6])) for r in rows[: query.limit]]
    return hits, len(rows) > query.limit
