"""What a user may do with records: the one place clearance is enforced and reads of
sensitive records are audited. The API, the CLI and the web UI all go through here.

Invariants:
- a user never receives a record (or a search hit) whose classification level is above
  their clearance — search filters in SQL, single reads refuse with ``Forbidden``;
- every read of a record at ``restricted`` or above, and every search that returned
  such records, is written to the audit log in the same transaction as the read;
- every write is a new version, audited with the user as actor.
"""

from __future__ import annotations

from typing import Any

from puente.errors import Forbidden, InvalidFile, NotFound
from puente.model.markings import Markings, vocabulary
from puente.model.record import Record, validate_entity
from puente.node import Node
from puente.store import records
from puente.store.search import Hit, SearchQuery, search
from puente.store.users import User

AUDIT_LEVEL = vocabulary().levels["restricted"]


def read_record(node: Node, user: User, rid: str) -> Record:
    with node.write() as conn:
        record = records.get(conn, rid)
        if record.markings.level > user.clearance:
            node.audit.append(
                conn, user.username, "read_denied", rid, {"level": record.markings.level}
            )
            raise Forbidden("error.clearance", id=rid)
        if record.markings.level >= AUDIT_LEVEL:
            node.audit.append(conn, user.username, "read", rid, {"version": record.version})
        return record


def record_history(node: Node, user: User, rid: str) -> list[dict[str, Any]]:
    read_record(node, user, rid)
    with node.read() as conn:
        versions = records.history(conn, rid)
    # Older versions may have been marked higher than the current one.
    return [v for v in versions if v["level"] <= user.clearance]


def held_at(node: Node, user: User, when: str, **kwargs: Any) -> tuple[int, list[dict[str, Any]]]:
    with node.write() as conn:
        total, page = records.held_at(conn, when, max_level=user.clearance, **kwargs)
        node.audit.append(conn, user.username, "held_at", when, {"returned": len(page)})
        return total, page


def search_records(node: Node, user: User, query: SearchQuery) -> tuple[list[Hit], bool]:
    query.max_level = min(query.max_level, user.clearance)
    with node.write() as conn:
        hits, more = search(conn, query)
        sensitive = [h.id for h in hits if h.level >= AUDIT_LEVEL]
        if sensitive:
            node.audit.append(conn, user.username, "search", query.q[:200], {"ids": sensitive})
        return hits, more


def save_record(
    node: Node,
    user: User,
    data: dict[str, Any],
    markings: dict[str, Any] | None,
    expected_version: int | None = None,
) -> Record:
    """Create or update one own record from an API/UI body (FtM shape)."""
    if not (user.has("analyst") or user.has("releasing_officer")):
        raise Forbidden("error.role", role="analyst")
    rid, schema, props, problems = validate_entity(data)
    if problems:
        for p in problems:
            p.file = "body"
        raise InvalidFile(problems, file="body")
    partners = node.partners()
    marks = (
        Markings.parse(markings, originator=node.country, partners=partners)
        if markings
        else node.default_markings
    )
    if marks.level > user.clearance:
        raise Forbidden("error.clearance", id=rid)
    with node.write() as conn:
        try:
            existing = records.get(conn, rid)
        except NotFound:
            existing = None
        if existing is not None:
            if existing.origin != node.country:
                raise Forbidden("error.read_only_copy", id=rid, origin=existing.origin)
            if existing.markings.level > user.clearance:
                raise Forbidden("error.clearance", id=rid)
        prepared = records.prepare(rid, schema, props, marks)
        record = records.save(
            conn,
            prepared,
            origin=node.country,
            actor=user.username,
            expected_version=expected_version,
        )
        node.audit.append(
            conn, user.username, "write", rid, {"version": record.version, "schema": schema}
        )
        return record
