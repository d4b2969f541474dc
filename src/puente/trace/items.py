"""What a trace request says about each recovered gun, checked before it is stored or
sent: the firearm as described (make, model, type, calibre, serial — possibly partial —,
country of manufacture, importer marks) and the recovery (date, state, municipality,
agency, and optionally the possessor with the markings the possessor's data carries).

Invariant: a ``TraceItem`` is always valid — ``parse_item`` refuses anything else with
``InvalidFile`` naming every problem (item number and field) — and its ``to_dict`` is the
exact wire form, so both nodes store the same item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from puente.errors import InvalidFile, InvalidInput, Problem
from puente.model.countries import country_code

MAX_ITEMS = 1000
_TEXT = 200
FIREARM_FIELDS = ("make", "model", "type", "caliber", "serial", "country", "importer")
RECOVERY_FIELDS = ("date", "state", "municipality", "agency")


@dataclass(frozen=True)
class Firearm:
    make: str
    serial: str = ""
    serial_partial: bool = False
    model: str = ""
    type: str = ""
    caliber: str = ""
    country: str = ""  # ISO alpha-3 of the country of manufacture
    importer: str = ""
    ref: str = ""  # the requester's own record id, if any


@dataclass(frozen=True)
class Recovery:
    date: str
    state: str
    municipality: str = ""
    agency: str = ""
    possessor: dict[str, Any] = field(default_factory=dict)  # name, birth_date, markings


@dataclass(frozen=True)
class TraceItem:
    firearm: Firearm
    recovery: Recovery

    def to_dict(self) -> dict[str, Any]:
        f, r = self.firearm, self.recovery
        out: dict[str, Any] = {
            "firearm": {k: v for k, v in f.__dict__.items() if v not in ("", False)},
            "recovery": {k: v for k, v in r.__dict__.items() if v not in ("", {})},
        }
        return out


def _text(value: Any, where: str, problems: list[Problem], line: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        problems.append(Problem("bad_value", line=line, field=where, value=str(value)[:50]))
        return ""
    text = str(value).strip()
    if len(text) > _TEXT or "\x00" in text:
        problems.append(Problem("bad_value", line=line, field=where, value=text[:50]))
        return ""
    return text


def parse_item(data: Any, line: int, problems: list[Problem]) -> TraceItem | None:
    """One item from its dict form; problems are appended, None when unusable."""
    if not isinstance(data, dict):
        problems.append(Problem("bad_value", line=line, field="item", value=str(data)[:50]))
        return None
    gun: dict[str, Any] = data["firearm"] if isinstance(data.get("firearm"), dict) else {}
    rec: dict[str, Any] = data["recovery"] if isinstance(data.get("recovery"), dict) else {}
    before = len(problems)
    f = {k: _text(gun.get(k), f"firearm.{k}", problems, line) for k in (*FIREARM_FIELDS, "ref")}
    r = {k: _text(rec.get(k), f"recovery.{k}", problems, line) for k in RECOVERY_FIELDS}
    if not f["make"]:
        problems.append(Problem("trace_missing", line=line, field="firearm.make"))
    if f["country"]:
        try:
            f["country"] = country_code(f["country"])
        except InvalidInput:
            problems.append(
                Problem("bad_country", line=line, field="firearm.country", value=f["country"])
            )
    try:
        date.fromisoformat(r["date"])
    except ValueError:
        problems.append(Problem("bad_date", line=line, field="recovery.date", value=r["date"]))
    if not r["state"]:
        problems.append(Problem("trace_missing", line=line, field="recovery.state"))
    possessor = rec.get("possessor") or {}
    if not isinstance(possessor, dict):
        problems.append(Problem("bad_value", line=line, field="recovery.possessor", value="?"))
        possessor = {}
    possessor = {
        k: _text(possessor.get(k), f"recovery.possessor.{k}", problems, line)
        for k in ("name", "birth_date", "record", "classification", "handling")
        if possessor.get(k)
    }
    partial = gun.get("serial_partial", False)
    if not isinstance(partial, bool):
        problems.append(Problem("bad_value", line=line, field="firearm.serial_partial", value="?"))
        partial = False
    if len(problems) > before:
        return None
    return TraceItem(
        Firearm(serial_partial=partial, **f),
        Recovery(possessor=possessor, **r),
    )


def parse_items(rows: list[Any], file: str = "") -> list[TraceItem]:
    """Every item, or ``InvalidFile`` with every problem (item numbers from 1)."""
    problems: list[Problem] = []
    if not rows:
        raise InvalidFile([Problem("trace_missing", file=file, field="items")])
    if len(rows) > MAX_ITEMS:
        raise InvalidFile([Problem("trace_too_many", file=file, field="items", limit=MAX_ITEMS)])
    items = [parse_item(row, i + 1, problems) for i, row in enumerate(rows)]
    if problems:
        for p in problems:
            p.file = file
        raise InvalidFile(problems)
    return [i for i in items if i is not None]
