"""Meetings of the high-level group: date, place, agenda, attendees, and the decisions
taken, each naming the commitments it created or changed.

Invariants: a meeting and the decisions given with it are written in one transaction
(all or nothing); a decision belongs to an own meeting; every commitment a decision
names must be held here (own or a partner's copy) — a decision never points at nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection

from puente.coordinate.items import number_key
from puente.coordinate.writes import markings_for, new_id, owned, save
from puente.errors import InvalidInput, NotFound
from puente.model.record import Record
from puente.node import Node
from puente.store import records
from puente.store.users import User


@dataclass(frozen=True)
class DecisionIn:
    text_es: str
    text_en: str
    creates: tuple[str, ...] = ()
    changes: tuple[str, ...] = ()
    number: str = ""


@dataclass(frozen=True)
class MeetingIn:
    date: str
    title_es: str
    title_en: str
    place: str = ""
    agenda_es: tuple[str, ...] = ()
    agenda_en: tuple[str, ...] = ()
    attendees: tuple[str, ...] = ()
    decisions: tuple[DecisionIn, ...] = field(default_factory=tuple)
    markings: dict[str, Any] | None = None


def _check_commitments(conn: Connection, ids: Sequence[str]) -> None:
    for rid in ids:
        try:
            held = records.get(conn, rid)
        except NotFound:
            held = None
        if held is None or held.schema != "Commitment":
            raise NotFound("coordinate.no_item", id=rid)


def add_meeting(node: Node, user: User, meeting: MeetingIn, rid: str = "") -> Record:
    """Record a meeting and its decisions (one transaction)."""
    marks = markings_for(node, meeting.markings)
    props = {
        "date": meeting.date,
        "titleEs": meeting.title_es,
        "titleEn": meeting.title_en,
        "place": meeting.place,
        "agendaEs": list(meeting.agenda_es),
        "agendaEn": list(meeting.agenda_en),
        "attendees": list(meeting.attendees),
    }
    with node.write() as conn:
        record = save(
            node, user, rid or new_id("mt"), "Meeting", props, marks, action="meeting", conn=conn
        )
        for n, decision in enumerate(meeting.decisions, 1):
            _decide(conn, node, user, record, decision, decision.number or str(n))
        return record


def add_decision(node: Node, user: User, meeting: str, decision: DecisionIn) -> Record:
    """A further decision of an own meeting, numbered after the last one."""
    from puente.coordinate.writes import snapshot

    frame = snapshot(node, user)
    with node.write() as conn:
        record = owned(conn, node, meeting)
        if record is None or record.schema != "Meeting":
            raise NotFound("coordinate.no_meeting", id=meeting)
        numbers = [number_key(d.number) for d in frame.decisions(meeting)]
        number = decision.number or str(max((n[0] for n in numbers), default=0) + 1)
        return _decide(conn, node, user, record, decision, number)


def _decide(
    conn: Connection, node: Node, user: User, meeting: Record, d: DecisionIn, number: str
) -> Record:
    _check_commitments(conn, [*d.creates, *d.changes])
    props = {
        "meeting": meeting.id,
        "number": number,
        "textEs": d.text_es,
        "textEn": d.text_en,
        "creates": list(d.creates),
        "changes": list(d.changes),
        "date": meeting.properties.get("date", [""])[0],
    }
    return save(
        node, user, f"{meeting.id}-d{number}", "Decision", props, meeting.markings,
        action="decision", conn=conn,
    )  # fmt: skip


def read_meeting_file(path: Path) -> MeetingIn:
    """A meeting from YAML: ``date``, ``title_es``, ``title_en``, ``place``, ``agenda_es``,
    ``agenda_en``, ``attendees`` and ``decisions`` (each ``text_es``, ``text_en``,
    ``creates``, ``changes``)."""
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
        decisions = tuple(
            DecisionIn(
                text_es=str(d["text_es"]),
                text_en=str(d["text_en"]),
                creates=tuple(str(x) for x in d.get("creates") or ()),
                changes=tuple(str(x) for x in d.get("changes") or ()),
                number=str(d.get("number", "")),
            )
            for d in data.get("decisions") or ()
        )
        return MeetingIn(
            date=str(data["date"]),
            title_es=str(data["title_es"]),
            title_en=str(data["title_en"]),
            place=str(data.get("place", "")),
            agenda_es=tuple(str(x) for x in data.get("agenda_es") or ()),
            agenda_en=tuple(str(x) for x in data.get("agenda_en") or ()),
            attendees=tuple(str(x) for x in data.get("attendees") or ()),
            decisions=decisions,
            markings=data.get("markings"),
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        raise InvalidInput("coordinate.bad_meeting_file", path=str(path)) from exc
