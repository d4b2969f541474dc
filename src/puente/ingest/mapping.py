"""Declared CSV mappings, after FollowTheMoney's mapping format.

A mapping (YAML) names the entities each row produces, the key columns that give each a
stable id, and where every property comes from::

    entities:
      buyer:
        schema: Person
        keys: [buyer_id]
        properties:
          name: {column: buyer_name}
          birthDate: {column: dob, format: "%d/%m/%Y"}
          nationality: {value: us}
      sale:
        schema: Acquisition
        keys: [txn]
        properties:
          purchaser: {entity: buyer}
          date: {column: date}
    markings:                     # optional; constant values or {column: ...}
      classification: confidential
      rel_to: [MEX]

Ids are ``<node>-<entity>-<sha1 of key values>``: stable, so reloading a file updates
the same records instead of duplicating them. A row whose key columns are all empty
produces no entity of that kind (an acquisition row without a dealer, say).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from puente.errors import InvalidInput, Problem
from puente.model.record import get_schema

Row = dict[str, Any]


@dataclass(frozen=True)
class PropertySource:
    column: str | None = None
    value: str | None = None
    entity: str | None = None
    format: str | None = None
    split: str | None = None

    def values(self, row: Row, ids: dict[str, str | None]) -> tuple[list[str], Problem | None]:
        if self.value is not None:
            return [self.value], None
        if self.entity is not None:
            ref = ids.get(self.entity)
            return ([ref] if ref else []), None
        raw = str(row.get(self.column or "", "") or "").strip()
        if not raw:
            return [], None
        parts = [p.strip() for p in raw.split(self.split)] if self.split else [raw]
        if self.format:
            out = []
            for part in parts:
                try:
                    out.append(datetime.strptime(part, self.format).date().isoformat())
                except ValueError:
                    return [], Problem(
                        "bad_date", field=self.column or "", value=part[:80], format=self.format
                    )
            return out, None
        return [p for p in parts if p], None


@dataclass(frozen=True)
class EntityMapping:
    name: str
    schema: str
    keys: tuple[str, ...]
    properties: dict[str, PropertySource]


@dataclass(frozen=True)
class Mapping:
    entities: tuple[EntityMapping, ...]
    markings: dict[str, Any] = field(default_factory=dict)

    @property
    def columns(self) -> set[str]:
        cols: set[str] = set()
        for ent in self.entities:
            cols.update(ent.keys)
            cols.update(p.column for p in ent.properties.values() if p.column)
        cols.update(v["column"] for v in self.markings.values() if isinstance(v, dict))
        return cols

    def apply(self, row: Row, node: str) -> tuple[list[Row], dict[str, Any] | None, list[Problem]]:
        """Produce FtM-shaped dicts for one CSV row, its row markings and problems."""
        problems: list[Problem] = []
        ids: dict[str, str | None] = {}
        for ent in self.entities:
            key_values = [str(row.get(k, "") or "").strip() for k in ent.keys]
            if any(key_values):
                digest = hashlib.sha1("\x1f".join(key_values).encode()).hexdigest()
                ids[ent.name] = f"{node.lower()}-{ent.name}-{digest}"
            else:
                ids[ent.name] = None
        out: list[Row] = []
        for ent in self.entities:
            rid = ids[ent.name]
            if rid is None:
                continue
            props: dict[str, list[str]] = {}
            for pname, src in ent.properties.items():
                values, problem = src.values(row, ids)
                if problem is not None:
                    problem.field = f"{src.column} → {ent.name}.{pname}"
                    problems.append(problem)
                if values:
                    props[pname] = values
            out.append({"id": rid, "schema": ent.schema, "properties": props})
        marks = None
        if self.markings:
            marks = {
                k: (row.get(v["column"], "") if isinstance(v, dict) else v)
                for k, v in self.markings.items()
            }
        return out, marks, problems


_SOURCE_KEYS = ("column", "value", "entity", "format", "split")


def load_mapping(path: str | Path) -> Mapping:
    """Parse and check a mapping file; errors name the entity and property."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InvalidInput("error.bad_mapping", file=str(path), reason=str(exc)[:200]) from exc
    if not isinstance(data, dict) or not isinstance(data.get("entities"), dict):
        raise InvalidInput("error.bad_mapping", file=str(path), reason="'entities' missing")
    entities = []
    for name, spec in data["entities"].items():
        if not isinstance(spec, dict):
            raise InvalidInput("error.bad_mapping", file=str(path), reason=f"{name}: not a mapping")
        schema = get_schema(str(spec.get("schema")))
        if schema is None:
            raise InvalidInput(
                "error.bad_mapping",
                file=str(path),
                reason=f"{name}: unknown schema {spec.get('schema')}",
            )
        keys = spec.get("keys") or []
        if isinstance(keys, str):
            keys = [keys]
        if not keys or not isinstance(keys, list):
            raise InvalidInput(
                "error.bad_mapping", file=str(path), reason=f"{name}: 'keys' missing"
            )
        props: dict[str, PropertySource] = {}
        sources = spec.get("properties") or {}
        if not isinstance(sources, dict):
            raise InvalidInput(
                "error.bad_mapping", file=str(path), reason=f"{name}: 'properties' not a mapping"
            )
        for pname, src in sources.items():
            if pname not in schema.properties:
                raise InvalidInput(
                    "error.bad_mapping",
                    file=str(path),
                    reason=f"{name}: unknown property {schema.name}.{pname}",
                )
            if isinstance(src, str):
                src = {"column": src}
            if not isinstance(src, dict):
                raise InvalidInput(
                    "error.bad_mapping", file=str(path), reason=f"{name}.{pname}: not a mapping"
                )
            props[pname] = PropertySource(
                **{k: None if src.get(k) is None else str(src.get(k)) for k in _SOURCE_KEYS}
            )
        entities.append(EntityMapping(str(name), schema.name, tuple(keys), props))
    names = {e.name for e in entities}
    for ent in entities:
        for pname, src in ent.properties.items():
            if src.entity is not None and src.entity not in names:
                raise InvalidInput(
                    "error.bad_mapping",
                    file=str(path),
                    reason=f"{ent.name}.{pname}: no entity '{src.entity}'",
                )
    markings = data.get("markings") or {}
    if not isinstance(markings, dict) or any(
        isinstance(v, dict) and "column" not in v for v in markings.values()
    ):
        raise InvalidInput("error.bad_mapping", file=str(path), reason="'markings' not a mapping")
    return Mapping(tuple(entities), dict(markings))
