"""A marked record: an FtM entity (or one of our domain schemata) plus its markings.

``validate_entity`` is the only way raw input becomes properties we store. It checks
the schema exists and is concrete, every property belongs to it, every value is valid
for its type (dates exist, countries are known, numbers parse), and required properties
are present. Problems name the field and the reason; the caller adds file and line.

The per-schema property table is computed once (``_props``) so validating a row is a
dictionary look-up and one cleaner call per value: ingest speed depends on it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from typing import Any

from followthemoney.schema import Schema
from followthemoney.types import registry

from puente.errors import Problem
from puente.model.canonical import canonical_bytes
from puente.model.ftm import get_model
from puente.model.markings import Markings
from puente.model.normalize import identifier_key, name_tokens, phone_key

MAX_VALUE = 65_000
MAX_ID = 200
_ID_OK = re.compile(r"^[^\x00-\x1f\x7f]+$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:T[\d:.]+Z?)?$")
NAME_PARTS = frozenset(
    {"firstName", "secondName", "middleName", "fatherName", "motherName", "lastName"}
)
Cleaner = Callable[[str], str | None]


def _clean_text(value: str) -> str | None:
    value = value.strip()
    return value if value and len(value) <= MAX_VALUE else None


def _clean_date(value: str) -> str | None:
    value = value.strip()
    m = _DATE.match(value)
    if m is None:
        return None
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        date(year, int(month or 1), int(day or 1))
    except ValueError:
        return None
    return value


def _clean_number(value: str) -> str | None:
    value = value.strip().replace(",", "")
    try:
        float(value)
    except ValueError:
        return None
    return value


@lru_cache(maxsize=4096)
def _clean_country(value: str) -> str | None:
    # A few hundred codes and names recur in every file and feed: FtM's cleaner (a
    # territory look-up, ~4 µs) runs once for each.
    return registry.country.clean(value.strip())


def _clean_phone(value: str) -> str | None:
    value = value.strip()
    return value if phone_key(value) else None


CLEANERS: dict[str, Cleaner] = {
    "date": _clean_date,
    "number": _clean_number,
    "country": _clean_country,
    "phone": _clean_phone,
}


@dataclass(frozen=True)
class PropSpec:
    name: str
    clean: Cleaner
    type: str
    is_name: bool
    is_key: bool


@cache
def _props(schema_name: str) -> dict[str, PropSpec]:
    schema = get_model().get(schema_name)
    assert schema is not None
    specs: dict[str, PropSpec] = {}
    for name, prop in schema.properties.items():
        tname = prop.type.name
        specs[name] = PropSpec(
            name=name,
            clean=CLEANERS.get(tname, _clean_text),
            type=tname,
            is_name=tname == "name" or name in NAME_PARTS,
            is_key=tname in ("identifier", "phone", "iban", "checksum"),
        )
    return specs


def get_schema(name: str) -> Schema | None:
    schema = get_model().get(name) if isinstance(name, str) else None
    if schema is None or schema.abstract:
        return None
    return schema


def validate_entity(
    data: Mapping[str, Any],
) -> tuple[str, str, dict[str, list[str]], list[Problem]]:
    """Return ``(id, schema, properties, problems)``; properties are cleaned values."""
    problems: list[Problem] = []
    rid = data.get("id")
    if not isinstance(rid, str) or not rid.strip():
        problems.append(Problem("missing_id", field="id"))
        rid = ""
    elif len(rid) > MAX_ID or not _ID_OK.match(rid):
        problems.append(Problem("bad_id", field="id", value=rid[:80]))
    schema_name = data.get("schema")
    schema = get_schema(schema_name) if isinstance(schema_name, str) else None
    if schema is None:
        problems.append(Problem("unknown_schema", field="schema", value=str(schema_name)))
        return rid, str(schema_name), {}, problems
    raw = data.get("properties") or {}
    if not isinstance(raw, Mapping):
        problems.append(Problem("bad_properties", field="properties"))
        return rid, schema.name, {}, problems
    specs = _props(schema.name)
    props: dict[str, list[str]] = {}
    for pname, values in raw.items():
        spec = specs.get(pname)
        if spec is None:
            problems.append(Problem("unknown_property", field=pname, schema=schema.name))
            continue
        if values is None:
            continue
        if not isinstance(values, list | tuple):
            values = [values]
        cleaned: list[str] = []
        for value in values:
            if value is None or value == "":
                continue
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                problems.append(Problem("bad_value", field=pname, value=str(value)[:80]))
                continue
            text = str(value)
            clean = spec.clean(text) if "\x00" not in text else None  # no database stores NUL
            if clean is None:
                reason = f"bad_{spec.type}" if spec.type in CLEANERS else "bad_value"
                problems.append(Problem(reason, field=pname, value=str(value)[:80]))
            elif clean not in cleaned:
                cleaned.append(clean)
        if cleaned:
            props[pname] = cleaned
    for req in schema.required:
        if req not in props:
            problems.append(Problem("missing_required", field=req, schema=schema.name))
    return rid, schema.name, props, problems


@dataclass
class Record:
    """A record as the node holds it. ``origin`` is the node it came from (own country
    for own records, the partner's code for received copies)."""

    id: str
    schema: str
    properties: dict[str, list[str]]
    markings: Markings
    origin: str
    version: int = 0
    created_at: str = ""
    updated_at: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        return record_hash(self.schema, self.properties, self.markings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "schema": self.schema,
            "properties": self.properties,
            "markings": self.markings.to_dict(),
            "origin": self.origin,
            "version": self.version,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "caption": caption(self.schema, self.properties),
        }


def content_digest(schema: str, properties_json: str, markings_json: str) -> str:
    """SHA-256 of a record's content: schema, canonical properties, canonical markings."""
    return hashlib.sha256(
        b"\x1f".join((schema.encode(), properties_json.encode(), markings_json.encode()))
    ).hexdigest()


def record_hash(schema: str, properties: Mapping[str, list[str]], markings: Markings) -> str:
    return content_digest(
        schema, canonical_bytes(properties).decode(), canonical_bytes(markings.to_dict()).decode()
    )


@cache
def _caption_props(schema_name: str) -> tuple[str, ...]:
    schema = get_model().get(schema_name)
    return tuple(schema.caption) if schema is not None else ()


@cache
def _date_props(schema_name: str) -> tuple[str, ...]:
    schema = get_model().get(schema_name)
    if schema is None:
        return ()
    names = [p.name for p in schema.temporal_start_props] + ["birthDate", "date"]
    return tuple(dict.fromkeys(n for n in names if n in schema.properties))


def caption(schema_name: str, properties: Mapping[str, list[str]]) -> str:
    for prop in _caption_props(schema_name):
        values = properties.get(prop)
        if values:
            return values[0]
    for values in properties.values():
        return values[0]
    return ""


def search_terms(schema_name: str, properties: Mapping[str, list[str]]) -> tuple[str, list[str]]:
    """The name tokens and identifier keys a record is found by."""
    specs = _props(schema_name)
    names: list[str] = []
    keys: list[str] = []
    for pname, values in properties.items():
        spec = specs.get(pname)
        if spec is None:
            continue
        if spec.is_name:
            names.extend(values)
        elif spec.is_key:
            for v in values:
                key = phone_key(v) if spec.type == "phone" else identifier_key(v)
                if key and key not in keys:
                    keys.append(key)
    if not names:
        names.append(caption(schema_name, properties))
    return " ".join(name_tokens(names)), keys


def event_date(schema_name: str, properties: Mapping[str, list[str]]) -> str | None:
    """The date a record is filtered by: its temporal start (an event's date, a
    person's birth date)."""
    for name in _date_props(schema_name):
        values = properties.get(name)
        if values:
            return min(values)
    return None
