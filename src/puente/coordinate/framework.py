"""Framework items: create goals, areas, objectives, commitments and actions (numbered
under their parent), edit and move them through the four statuses, add milestones and
evidence, and read an item's history of changes.

Invariants: a child's level is the one below its parent's (a root is a goal) and its
number is one past its highest visible sibling; a status is one of the four; marking a
commitment ``completed`` records the day unless given; milestones belong to the
commitment's owner, evidence may be added by either side. Writes go through
``writes.save`` (owner-only, one transaction, audited).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from puente.access import require_role
from puente.coordinate import vocab
from puente.coordinate.tree import level_of
from puente.coordinate.writes import (
    ROLE,
    current_props,
    following,
    markings_for,
    new_id,
    owned,
    save,
    snapshot,
)
from puente.errors import Forbidden, InvalidInput, NotFound
from puente.model.record import Record
from puente.node import Node
from puente.store import records
from puente.store.users import User

EDITABLE = {
    "title_es": "titleEs",
    "title_en": "titleEn",
    "description_es": "descriptionEs",
    "description_en": "descriptionEn",
    "owners": "owners",
    "start": "startDate",
    "due": "dueDate",
    "completed": "completedDate",
    "status": "status",
    "status_note": "statusNote",
}


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def _owners(values: list[str] | None) -> list[str]:
    out = []
    for v in values or []:
        code, sep, agency = str(v).partition(":")
        if not sep or not code.strip() or not agency.strip():
            raise InvalidInput("coordinate.bad_owner", value=str(v)[:80])
        out.append(f"{code.strip().upper()}:{agency.strip()}")
    return out


def create_item(
    node: Node,
    user: User,
    *,
    level: str,
    title_es: str,
    title_en: str,
    parent: str = "",
    rid: str = "",
    number: str = "",
    markings: dict[str, Any] | None = None,
    **fields: Any,
) -> Record:
    """A new own framework item under ``parent`` (a local id: own or a partner's copy)."""
    require_role(user, ROLE)
    level = vocab.check("level", level)
    frame = snapshot(node, user)
    parent_item = frame.items.get(parent) if parent else None
    if parent and parent_item is None:
        raise NotFound("coordinate.no_item", id=parent)
    if level not in level_of(parent_item):
        raise InvalidInput(
            "coordinate.bad_level", level=level, parent=parent_item.level if parent_item else "-"
        )
    props: dict[str, Any] = {
        "level": level,
        "number": number or frame.next_number(parent),
        "parent": parent,
        "titleEs": title_es,
        "titleEn": title_en,
        "status": "not_started",
    }
    props.update(_fields(fields))
    return save(
        node, user, rid or new_id(level[:2]), "Commitment", props,
        markings_for(node, markings), action="create", expected_version=0,
    )  # fmt: skip


def _fields(fields: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for key, value in fields.items():
        if key not in EDITABLE:
            raise InvalidInput("coordinate.bad_field", field=key)
        if value is None:
            continue
        if key == "status":
            value = vocab.check("status", str(value))
        elif key == "owners":
            value = _owners(list(value))
        props[EDITABLE[key]] = value
    return props


def update_item(
    node: Node,
    user: User,
    rid: str,
    *,
    expected_version: int | None = None,
    markings: dict[str, Any] | None = None,
    **fields: Any,
) -> Record:
    """Change an own item's texts, owners, dates or status (``""`` clears a field)."""
    require_role(user, ROLE)
    with node.write() as conn:
        record = owned(conn, node, rid)
        if record is None or record.schema != "Commitment":
            raise NotFound("coordinate.no_item", id=rid)
        props: dict[str, Any] = current_props(record)
        for key, value in _fields(fields).items():
            props[key] = value
        if props.get("status") == ["completed"] or props.get("status") == "completed":
            props.setdefault("completedDate", today())
        marks = markings_for(node, markings) if markings else None
        return save(
            node, user, rid, "Commitment", props, marks,
            action="update", expected_version=expected_version, conn=conn,
        )  # fmt: skip


def set_status(node: Node, user: User, rid: str, status: str, note: str = "") -> Record:
    return update_item(node, user, rid, status=status, status_note=note or None)


def add_milestone(
    node: Node, user: User, commitment: str, title_es: str, title_en: str, due: str = ""
) -> Record:
    """A milestone of an own commitment (the owner plans its steps)."""
    with node.read() as conn:
        item = records.get(conn, commitment)
    if item.schema != "Commitment":
        raise NotFound("coordinate.no_item", id=commitment)
    if item.origin != node.country:
        raise Forbidden("coordinate.not_owner", id=commitment, owner=item.origin)
    props = {"commitment": commitment, "titleEs": title_es, "titleEn": title_en, "dueDate": due}
    return save(node, user, new_id("ms"), "Milestone", props, item.markings, action="create")


def complete_milestone(node: Node, user: User, rid: str, on: str = "") -> Record:
    with node.write() as conn:
        record = owned(conn, node, rid)
        if record is None or record.schema != "Milestone":
            raise NotFound("coordinate.no_item", id=rid)
        props: dict[str, Any] = current_props(record)
        props["completedDate"] = on or today()
        return save(node, user, rid, "Milestone", props, action="update", conn=conn)


def add_evidence(
    node: Node,
    user: User,
    commitment: str,
    title: str,
    *,
    url: str = "",
    document: str = "",
    file: Path | None = None,
    on: str = "",
) -> Record:
    """Evidence for any commitment this node holds; a file is named by its SHA-256 (the
    file itself stays where the secretariat keeps its documents)."""
    with node.read() as conn:
        item = records.get(conn, commitment)
    if item.schema != "Commitment":
        raise NotFound("coordinate.no_item", id=commitment)
    if not (url or document or file):
        raise InvalidInput("coordinate.evidence_empty")
    props: dict[str, Any] = {
        "commitment": commitment,
        "title": title,
        "url": url,
        "documentId": document,
        "date": on or today(),
    }
    if file is not None:
        try:
            props["fileSha256"] = hashlib.sha256(file.read_bytes()).hexdigest()
        except OSError as exc:
            raise InvalidInput("coordinate.bad_file", path=str(file)) from exc
        props["fileName"] = file.name
    marks = following(node, item.origin, item.markings)
    return save(node, user, new_id("ev"), "Evidence", props, marks, action="create")


def item_history(node: Node, user: User, rid: str) -> list[dict[str, Any]]:
    """Every version of a framework record with what changed from the one before."""
    from puente import access

    versions = access.record_history(node, user, rid)
    out: list[dict[str, Any]] = []
    before: dict[str, list[str]] = {}
    for v in versions:
        props = v["properties"]
        changed = {
            k: {"from": before.get(k, []), "to": props.get(k, [])}
            for k in sorted(set(before) | set(props))
            if before.get(k, []) != props.get(k, [])
        }
        out.append(
            {
                "version": v["version"],
                "at": v["recorded_at"],
                "by": v["recorded_by"],
                "changes": changed,
                "classification": v["markings"]["classification"],
            }
        )
        before = props
    return out
