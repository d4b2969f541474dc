"""Typed views of the framework records a node holds — its own and the partners'
read-only copies — and the rule that turns references between them into local ids.

References are written in the writer's namespace: an own record names another own
record by its id and a partner's record by the id of the copy it holds (``USA:cm-7``).
The same property arrives at the partner unchanged, so ``local_ref`` reads it relative
to the record's origin: a plain id in a copy from ``USA`` is ``USA:<id>`` here, a
``MEX:<id>`` in a copy read at ``MEX`` is our own ``<id>``, and any other prefixed id is
a third node's copy. Invariant: own framework ids never contain ``:``, so the rule is
unambiguous, and ``load`` never returns a record above the caller's level.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from puente.coordinate.vocab import SCHEMATA
from puente.model.markings import Markings
from puente.store.tables import records

Props = Mapping[str, list[str]]
_NODE = re.compile(r"^[A-Z]{3}$")


def local_ref(ref: str, origin: str, here: str) -> str:
    """The id, at node ``here``, of the record that a record held with ``origin`` names."""
    if origin == here:
        return ref
    prefix, sep, rest = ref.partition(":")
    if sep and _NODE.match(prefix):
        return rest if prefix == here else ref
    return f"{origin}:{ref}"


def first(props: Props, name: str, default: str = "") -> str:
    values = props.get(name)
    return values[0] if values else default


def number_key(number: str) -> tuple[int, ...]:
    """``"1.10.2"`` → ``(1, 10, 2)``: numeric order of framework numbers."""
    return tuple(int(p) if p.isdigit() else 10**6 for p in number.split("."))


@dataclass(frozen=True)
class Held:
    """What every framework record shares: where it lives here and who owns it."""

    id: str
    origin: str
    version: int
    markings: Markings
    updated_at: str

    @property
    def classification(self) -> str:
        return self.markings.classification


@dataclass(frozen=True)
class Item(Held):
    number: str
    level: str
    parent: str
    title: dict[str, str]
    description: dict[str, str]
    owners: tuple[tuple[str, str], ...]
    status: str
    status_note: str
    start: str
    due: str
    completed: str

    def text(self, lang: str) -> str:
        return self.title.get(lang) or self.title["es"]


@dataclass(frozen=True)
class Milestone(Held):
    commitment: str
    title: dict[str, str]
    due: str
    completed: str


@dataclass(frozen=True)
class Evidence(Held):
    commitment: str
    title: str
    url: str
    document: str
    file_name: str
    file_sha256: str
    date: str


@dataclass(frozen=True)
class Indicator(Held):
    code: str
    name: dict[str, str]
    definition: dict[str, str]
    unit: str
    kind: str
    evaluator: str
    periodicity: str
    direction: str
    baseline: float | None
    baseline_period: str
    target: float | None
    target_period: str
    commitments: tuple[str, ...]

    def text(self, lang: str) -> str:
        return self.name.get(lang) or self.name["es"]


@dataclass(frozen=True)
class Observation(Held):
    indicator: str
    period: str
    value: float
    as_of: str
    source: str
    method: str
    supersedes: str
    note: str


@dataclass(frozen=True)
class Meeting(Held):
    date: str
    title: dict[str, str]
    place: str
    agenda: dict[str, tuple[str, ...]]
    attendees: tuple[str, ...]


@dataclass(frozen=True)
class Decision(Held):
    meeting: str
    number: str
    text: dict[str, str]
    creates: tuple[str, ...]
    changes: tuple[str, ...]


@dataclass
class Loaded:
    """Every framework record visible at one clearance, parsed."""

    items: dict[str, Item] = field(default_factory=dict)
    milestones: list[Milestone] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    indicators: dict[str, Indicator] = field(default_factory=dict)
    observations: list[Observation] = field(default_factory=list)
    meetings: dict[str, Meeting] = field(default_factory=dict)
    decisions: list[Decision] = field(default_factory=list)

    def all_held(self) -> list[Held]:
        groups: list[Any] = [
            self.items.values(), self.milestones, self.evidence, self.indicators.values(),
            self.observations, self.meetings.values(), self.decisions,
        ]  # fmt: skip
        return [h for g in groups for h in g]

    def all_markings(self) -> list[Markings]:
        return [h.markings for h in self.all_held()]


def _num(value: str) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _owners(values: list[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for v in values:
        code, sep, agency = v.partition(":")
        out.append((code.strip(), agency.strip()) if sep else ("", v.strip()))
    return tuple(out)


def parse(row: Any, here: str) -> Held | None:
    """One ``records`` row as its typed view (``None`` for other schemata)."""
    props: dict[str, list[str]] = json.loads(row.properties)
    marks = json.loads(row.markings)
    origin = row.origin
    base = {
        "id": row.id,
        "origin": origin,
        "version": row.version,
        "markings": Markings.parse(marks, originator=marks["originator"]),
        "updated_at": row.updated_at,
    }

    def ref(name: str) -> str:
        value = first(props, name)
        return local_ref(value, origin, here) if value else ""

    def refs(name: str) -> tuple[str, ...]:
        return tuple(local_ref(v, origin, here) for v in props.get(name, []))

    def both(prefix: str) -> dict[str, str]:
        return {"es": first(props, prefix + "Es"), "en": first(props, prefix + "En")}

    schema = row.schema
    if schema == "Commitment":
        return Item(
            **base, number=first(props, "number"), level=first(props, "level"),
            parent=ref("parent"), title=both("title"), description=both("description"),
            owners=_owners(props.get("owners", [])), status=first(props, "status", "not_started"),
            status_note=first(props, "statusNote"), start=first(props, "startDate"),
            due=first(props, "dueDate"), completed=first(props, "completedDate"),
        )  # fmt: skip
    if schema == "Milestone":
        return Milestone(
            **base, commitment=ref("commitment"), title=both("title"),
            due=first(props, "dueDate"), completed=first(props, "completedDate"),
        )  # fmt: skip
    if schema == "Evidence":
        return Evidence(
            **base, commitment=ref("commitment"), title=first(props, "title"),
            url=first(props, "url"), document=first(props, "documentId"),
            file_name=first(props, "fileName"), file_sha256=first(props, "fileSha256"),
            date=first(props, "date"),
        )  # fmt: skip
    if schema == "Indicator":
        return Indicator(
            **base, code=first(props, "code"), name=both("name"), definition=both("definition"),
            unit=first(props, "unit"), kind=first(props, "kind"),
            evaluator=first(props, "evaluator"), periodicity=first(props, "periodicity"),
            direction=first(props, "direction"), baseline=_num(first(props, "baseline")),
            baseline_period=first(props, "baselinePeriod"), target=_num(first(props, "target")),
            target_period=first(props, "targetPeriod"), commitments=refs("commitments"),
        )  # fmt: skip
    if schema == "Observation":
        return Observation(
            **base, indicator=ref("indicator"), period=first(props, "period"),
            value=_num(first(props, "value")) or 0.0, as_of=first(props, "asOf"),
            source=first(props, "source"), method=first(props, "method", "reported"),
            supersedes=ref("supersedes"), note=first(props, "note"),
        )  # fmt: skip
    if schema == "Meeting":
        return Meeting(
            **base, date=first(props, "date"), title=both("title"), place=first(props, "place"),
            agenda={"es": tuple(props.get("agendaEs", [])), "en": tuple(props.get("agendaEn", []))},
            attendees=tuple(props.get("attendees", [])),
        )  # fmt: skip
    if schema == "Decision":
        return Decision(
            **base, meeting=ref("meeting"), number=first(props, "number"), text=both("text"),
            creates=refs("creates"), changes=refs("changes"),
        )  # fmt: skip
    return None


def load(conn: Connection, here: str, max_level: int) -> Loaded:
    """Every framework record this node holds at or below ``max_level``."""
    out = Loaded()
    rows = conn.execute(
        select(records)
        .where(records.c.schema.in_(SCHEMATA), records.c.level <= max_level)
        .order_by(records.c.id)
    )
    for row in rows:
        held = parse(row, here)
        if isinstance(held, Item):
            out.items[held.id] = held
        elif isinstance(held, Milestone):
            out.milestones.append(held)
        elif isinstance(held, Evidence):
            out.evidence.append(held)
        elif isinstance(held, Indicator):
            out.indicators[held.id] = held
        elif isinstance(held, Observation):
            out.observations.append(held)
        elif isinstance(held, Meeting):
            out.meetings[held.id] = held
        elif isinstance(held, Decision):
            out.decisions.append(held)
    return out
