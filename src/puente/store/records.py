"""Records and their history.

Invariant: ``record_versions`` is append-only — every create and every change adds a
row, nothing is updated or deleted there. ``records`` (the current version), the
``identifiers`` keys and the ``search_names`` index are derived from the newest version
and are written in the same transaction as it, so a reader never sees one without the
other. Writing a record whose content hash equals the stored one is a no-op: loading
the same file twice creates nothing. ``records.properties`` (and the version's) is
always the canonical encoding of the properties (``prepare``: ``canonical_fast``): the
exchange feed splices it, unparsed, into the bytes it signs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, and_, func, select, text

from puente.errors import Conflict, InvalidInput, NotFound
from puente.model.canonical import canonical_fast
from puente.model.markings import Markings
from puente.model.record import Record, caption, content_digest, event_date, search_terms
from puente.store import db
from puente.store.audit import now
from puente.store.tables import identifiers, record_versions, records

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode


@dataclass(slots=True)
class Prepared:
    """A validated record with everything derived that the store writes. Treated as
    immutable; not ``frozen`` because a frozen dataclass's ``__init__`` costs three
    times as much, once per record on the ingest and exchange hot paths."""

    id: str
    schema: str
    markings: Markings
    content_hash: str
    names: str
    keys: list[str]
    caption: str
    event_date: str | None
    properties_json: str
    markings_json: str

    def fields(self) -> tuple[Any, ...]:
        """The fields in order: ``Prepared(*p.fields())`` is ``p`` again."""
        return (
            self.id, self.schema, self.markings, self.content_hash, self.names, self.keys,
            self.caption, self.event_date, self.properties_json, self.markings_json,
        )  # fmt: skip

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickle as a plain tuple: worker processes (ingest, exchange checks) send
        every prepared record back, and a tuple of strings pickles several times faster
        than a slotted instance."""
        return Prepared, self.fields()


@lru_cache(maxsize=256)
def _markings_json(markings: Markings) -> str:
    return _dumps(markings.to_dict())


def prepare(
    rid: str, schema: str, properties: dict[str, list[str]], markings: Markings
) -> Prepared:
    names, keys = search_terms(schema, properties)
    props_json = canonical_fast(properties).decode()  # = _dumps(properties), faster
    marks_json = _markings_json(markings)
    return Prepared(
        id=rid,
        schema=schema,
        markings=markings,
        content_hash=content_digest(schema, props_json, marks_json),
        names=names,
        keys=keys,
        caption=caption(schema, properties)[:500],
        event_date=event_date(schema, properties),
        properties_json=props_json,
        markings_json=marks_json,
    )


class IdTaken(Conflict):
    """``write_batch(exclusive=True)`` met an id held with another origin."""

    key = "error.id_taken"


@dataclass
class WriteCounts:
    created: int = 0
    changed: int = 0
    unchanged: int = 0

    @property
    def written(self) -> int:
        return self.created + self.changed


RECORD_COLUMNS = (
    "id", "schema", "properties", "markings", "level", "rel_to", "origin", "version",
    "content_hash", "caption", "event_date", "created_at", "updated_at",
)  # fmt: skip
VERSION_COLUMNS = (
    "id", "version", "operation", "schema", "properties", "markings", "level",
    "content_hash", "recorded_at", "recorded_by", "load_id",
)  # fmt: skip


def write_batch(
    conn: Connection,
    batch: Sequence[Prepared],
    *,
    origin: str,
    actor: str,
    load_id: str | None = None,
    exclusive: bool = False,
) -> WriteCounts:
    """Write ``batch`` (ids unique within it) as new versions where content changed.
    ``exclusive``: an id already held with another origin refuses the whole batch
    (``IdTaken``) instead of taking the record over."""
    counts = WriteCounts()
    if not batch:
        return counts
    # One writer at a time, so ``changes.seq`` order is commit order on both backends.
    db.lock_chain(conn, "records")
    existing: dict[str, tuple[str, int, str]] = {}
    for found in db.select_in(
        conn,
        records,
        ("id", "content_hash", "version", "created_at", "origin"),
        "id",
        [p.id for p in batch],
    ):
        if exclusive and found[4] != origin:
            raise IdTaken("error.id_taken", id=found[0], origin=found[4])
        existing[found[0]] = (found[1], found[2], found[3])
    ts = now()
    fresh: list[Prepared] = []
    touched: list[Prepared] = []
    new_rows: list[tuple[Any, ...]] = []
    changed_rows: list[dict[str, Any]] = []
    versions: list[tuple[Any, ...]] = []
    for p in batch:
        old = existing.get(p.id)
        if old is not None and old[0] == p.content_hash:
            counts.unchanged += 1
            continue
        version = 1 if old is None else old[1] + 1
        level = p.markings.level
        row = (
            p.id, p.schema, p.properties_json, p.markings_json, level,
            "," + "".join(f"{c}," for c in p.markings.rel_to), origin, version,
            p.content_hash, p.caption, p.event_date, ts if old is None else old[2], ts,
        )  # fmt: skip
        if old is None:
            fresh.append(p)
            new_rows.append(row)
        else:
            touched.append(p)
            changed_rows.append(dict(zip(RECORD_COLUMNS, row, strict=True)))
        versions.append(
            (
                p.id,
                version,
                "create" if old is None else "update",
                p.schema,
                p.properties_json,
                p.markings_json,
                level,
                p.content_hash,
                ts,
                actor,
                load_id,
            )
        )
    if new_rows:
        db.insert_rows(conn, "records", RECORD_COLUMNS, new_rows)
        _insert_keys(conn, fresh)
        db.fts_insert_new(conn, [(p.id, p.names) for p in fresh])
    if changed_rows:
        db.upsert(conn, records, changed_rows, ["id"])
        conn.execute(
            identifiers.delete().where(identifiers.c.record_id.in_([p.id for p in touched]))
        )
        _insert_keys(conn, touched)
        db.fts_replace(conn, [(p.id, p.names) for p in touched])
    if versions:
        db.insert_rows(conn, "record_versions", VERSION_COLUMNS, versions)
        db.insert_rows(conn, "changes", ("record_id", "version"), [(v[0], v[1]) for v in versions])
    counts.created = len(new_rows)
    counts.changed = len(changed_rows)
    return counts


def _insert_keys(conn: Connection, batch: Sequence[Prepared]) -> None:
    db.insert_rows(
        conn, "identifiers", ("key", "record_id"), [(k, p.id) for p in batch for k in p.keys]
    )


def _record(row: Any) -> Record:
    m = row._mapping
    marks = json.loads(m["markings"])
    return Record(
        id=m["id"],
        schema=m["schema"],
        properties=json.loads(m["properties"]),
        markings=Markings.parse(marks, originator=marks["originator"]),
        origin=m["origin"],
        version=m["version"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
    )


def get(conn: Connection, rid: str) -> Record:
    row = conn.execute(select(records).where(records.c.id == rid)).first()
    if row is None:
        raise NotFound("error.no_record", id=rid)
    return _record(row)


def get_many(conn: Connection, ids: Sequence[str]) -> dict[str, Record]:
    out: dict[str, Record] = {}
    for i in range(0, len(ids), 500):
        for row in conn.execute(select(records).where(records.c.id.in_(ids[i : i + 500]))):
            out[row.id] = _record(row)
    return out


def history(conn: Connection, rid: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(record_versions)
        .where(record_versions.c.id == rid)
        .order_by(record_versions.c.version)
    ).all()
    if not rows:
        raise NotFound("error.no_record", id=rid)
    out = []
    for r in rows:
        item = dict(r._mapping)
        item["properties"] = json.loads(item["properties"])
        item["markings"] = json.loads(item["markings"])
        out.append(item)
    return out


def held_at(
    conn: Connection,
    when: str,
    *,
    schema: str | None = None,
    max_level: int = 3,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[dict[str, Any]]]:
    """What this node held at ``when`` (ISO date or timestamp): for each record, its
    newest version recorded at or before that moment. Returns ``(total, page)``."""
    if len(when) == 10:
        when = when + "T23:59:59.999999Z"
    latest = (
        select(record_versions.c.id, func.max(record_versions.c.version).label("v"))
        .where(record_versions.c.recorded_at <= when)
        .group_by(record_versions.c.id)
        .subquery()
    )
    query = select(record_versions).join(
        latest, and_(record_versions.c.id == latest.c.id, record_versions.c.version == latest.c.v)
    )
    query = query.where(
        record_versions.c.operation != "delete", record_versions.c.level <= max_level
    )
    if schema:
        query = query.where(record_versions.c.schema == schema)
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    page = []
    for r in conn.execute(query.order_by(record_versions.c.id).limit(limit).offset(offset)):
        item = dict(r._mapping)
        item["properties"] = json.loads(item["properties"])
        item["markings"] = json.loads(item["markings"])
        page.append(item)
    return int(total), page


def save(
    conn: Connection,
    prepared: Prepared,
    *,
    origin: str,
    actor: str,
    expected_version: int | None = None,
) -> Record:
    """Create or update one record (API); ``expected_version`` guards lost updates."""
    current = conn.execute(
        select(records.c.version, records.c.schema).where(records.c.id == prepared.id)
    ).first()
    if expected_version is not None:
        have = current[0] if current else 0
        if have != expected_version:
            raise Conflict(
                "error.version_conflict", id=prepared.id, expected=expected_version, have=have
            )
    if current is not None and current[1] != prepared.schema:
        raise InvalidInput("error.schema_change", id=prepared.id, have=current[1])
    write_batch(conn, [prepared], origin=origin, actor=actor)
    return get(conn, prepared.id)


def count(conn: Connection) -> int:
    return int(conn.execute(text("SELECT COUNT(*) FROM records")).scalar_one())


def referencing(
    conn: Connection, value: str, *, max_level: int, origin: str | None = None, limit: int = 200
) -> list[Record]:
    """Records at or below ``max_level`` whose properties hold ``value`` as a whole value
    (an entity reference to it): the reverse edges of the link chart. A scan of the
    properties text; the network package replaces it with a graph index."""
    needle = _dumps(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = select(records).where(
        records.c.level <= max_level, records.c.properties.like(f"%{needle}%", escape="\\")
    )
    if origin:
        query = query.where(records.c.origin == origin)
    rows = conn.execute(query.order_by(records.c.id).limit(limit)).all()
    return [_record(r) for r in rows]
