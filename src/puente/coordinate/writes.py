"""The one write path of the coordination framework, and the audited read of it.

Invariants:
- a framework record is written only by a user holding ``secretariat`` (``admin`` holds
  every role), only if the node owns it: a partner's read-only copy is refused with
  ``Forbidden`` whatever the interface — so "each side edits only what it owns" is the
  exchange's rule applied here, not a second permission system;
- every write is one transaction: the new record version (``records.save``, which keeps
  the history in ``record_versions``) and its audit entry, or nothing;
- a user never writes a marking above their clearance, and ``snapshot`` never returns a
  record above it; reads of restricted or higher records are audited, as ``access`` does.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from puente.access import AUDIT_LEVEL, require_role
from puente.coordinate.items import load
from puente.coordinate.tree import Framework
from puente.errors import Forbidden, InvalidFile, InvalidInput, NotFound
from puente.model.markings import Markings
from puente.model.record import Record, validate_entity
from puente.node import Node
from puente.store import records
from puente.store.users import User

ROLE = "secretariat"


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(5)}"


def default_markings(node: Node) -> Markings:
    """Framework records are joint by default: restricted, releasable to every partner,
    no further dissemination, an official source (A1)."""
    return Markings.parse(
        {
            "classification": "restricted",
            "rel_to": sorted(node.partners()),
            "handling": "H2",
            "source_reliability": "A",
            "info_credibility": "1",
        },
        originator=node.country,
    )


def markings_for(node: Node, given: Mapping[str, Any] | None) -> Markings:
    if not given:
        return default_markings(node)
    base = default_markings(node).to_dict()
    base.update({k: v for k, v in given.items() if v is not None})
    base.pop("originator", None)
    return Markings.parse(base, originator=node.country, partners=node.partners())


def following(node: Node, origin: str, markings: Markings) -> Markings:
    """Markings for an own record that belongs with another (an observation of an
    indicator, evidence for a commitment): the same markings when that one is ours; when
    it is a partner's copy, its classification, released back to that partner, with this
    node as originator."""
    if origin == node.country:
        return markings
    base = {k: v for k, v in markings.to_dict().items() if k not in ("withheld", "originator")}
    base["rel_to"] = sorted({origin, *markings.rel_to} & (node.partners() | {origin}))
    return Markings.parse(base, originator=node.country)


def owned(conn: Connection, node: Node, rid: str) -> Record | None:
    """The record ``rid`` if it exists; refuses a partner's copy."""
    try:
        record = records.get(conn, rid)
    except NotFound:
        return None
    if record.origin != node.country:
        raise Forbidden("coordinate.not_owner", id=rid, owner=record.origin)
    return record


def save(
    node: Node,
    user: User,
    rid: str,
    schema: str,
    props: Mapping[str, Any],
    markings: Markings | None = None,
    *,
    action: str,
    expected_version: int | None = None,
    conn: Connection | None = None,
) -> Record:
    """Create or update one own framework record (see the module invariants)."""
    require_role(user, ROLE)
    clean = {k: v for k, v in props.items() if v not in (None, "", [], ())}
    got_id, got_schema, cleaned, problems = validate_entity(
        {"id": rid, "schema": schema, "properties": clean}
    )
    if problems:
        for p in problems:
            p.file = schema
        raise InvalidFile(problems, file=schema)
    if conn is None:
        with node.write() as own:
            return save(
                node, user, rid, schema, props, markings,
                action=action, expected_version=expected_version, conn=own,
            )  # fmt: skip
    existing = owned(conn, node, got_id)
    if existing is None and ":" in got_id:
        raise InvalidInput("coordinate.bad_id", id=got_id)
    if existing is not None and existing.schema != got_schema:
        raise InvalidInput("error.schema_change", id=got_id, have=existing.schema)
    marks = markings or (existing.markings if existing is not None else default_markings(node))
    if marks.level > user.clearance or (
        existing is not None and existing.markings.level > user.clearance
    ):
        raise Forbidden("error.clearance", id=got_id)
    prepared = records.prepare(got_id, got_schema, cleaned, marks)
    record = records.save(
        conn, prepared, origin=node.country, actor=user.username, expected_version=expected_version
    )
    node.audit.append(
        conn,
        user.username,
        f"coordinate_{action}",
        got_id,
        {"version": record.version, "schema": got_schema},
    )
    return record


def snapshot(node: Node, user: User) -> Framework:
    """The framework as ``user`` may see it (own records and partners' copies)."""
    require_role(user, ROLE, "analyst", "releasing_officer")
    with node.write() as conn:
        loaded = load(conn, node.country, user.clearance)
        sensitive = [h.id for h in loaded.all_held() if h.markings.level >= AUDIT_LEVEL]
        if sensitive:
            node.audit.append(
                conn, user.username, "coordinate_read", "framework", {"ids": sensitive}
            )
    return Framework(loaded, node.country)


def current_props(record: Record) -> dict[str, list[str]]:
    return {k: list(v) for k, v in record.properties.items()}
