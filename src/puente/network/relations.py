"""What edges and shared attributes a record makes, as declared in ``relations.yaml``.

Invariant: ``extract`` is a pure function of one record (schema, properties, origin and
the node's own country): the same record always yields the same edges and attributes,
in the same order, so the derived tables can be rebuilt or refreshed record by record.
References held by a received copy name records in its sender's namespace and are
returned as the local ids of those copies (``"<ORIGIN>:<id>"``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from puente.model.ftm import get_model
from puente.model.normalize import name_tokens, phone_key
from puente.model.record import event_date

MAX_REF = 200


@dataclass(frozen=True)
class EdgeRule:
    source: str
    target: str
    kind: str
    directed: bool = True
    kind_from: str | None = None
    weight_from: str | None = None


@dataclass(frozen=True)
class AttrRule:
    name: str
    edge_kind: str
    normalise: str
    max_holders: int
    schema: str
    props: tuple[str, ...]
    entity: str | None = None
    joined: bool = False


@dataclass(frozen=True)
class EdgeRow:
    source: str
    target: str
    kind: str
    directed: bool
    weight: float
    date: str | None


@dataclass(frozen=True)
class AttrRow:
    entity_ref: str
    kind: str
    value: str


@dataclass(frozen=True)
class Relations:
    edges: dict[str, tuple[EdgeRule, ...]]
    attributes: tuple[AttrRule, ...]
    commercial: frozenset[str]

    def edge_kinds(self) -> dict[str, str]:
        """attribute name → edge kind (``shared_phone``, ``crossed_together``…)."""
        return {a.name: a.edge_kind for a in self.attributes}

    def max_holders(self) -> dict[str, int]:
        return {a.name: a.max_holders for a in self.attributes}


@cache
def relations() -> Relations:
    text = resources.files("puente.network").joinpath("relations.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    edges = {
        schema: tuple(EdgeRule(**rule) for rule in rules) for schema, rules in data["edges"].items()
    }
    attrs: list[AttrRule] = []
    for name, spec in data["attributes"].items():
        for src in spec["from"]:
            attrs.append(
                AttrRule(
                    name=name,
                    edge_kind=spec.get("edge_kind", f"shared_{name}"),
                    normalise=spec["normalise"],
                    max_holders=int(spec["max_holders"]),
                    schema=src["schema"],
                    props=tuple(src["props"]),
                    entity=src.get("entity"),
                    joined=bool(src.get("joined", False)),
                )
            )
    return Relations(edges, tuple(attrs), frozenset(data.get("commercial", ())))


def is_edge_schema(schema: str) -> bool:
    """Records of these schemata are edges of the network, never its nodes."""
    return schema in relations().edges


@cache
def _is_a(schema: str, ancestor: str) -> bool:
    found = get_model().get(schema)
    return found is not None and found.is_a(ancestor)


def is_actor(schema: str) -> bool:
    """People and organisations: the endpoints brokerage is measured between."""
    return _is_a(schema, "LegalEntity")


def local_ref(value: str, origin: str, own: str) -> str:
    """The local id of the record ``value`` names, as written by a record of ``origin``."""
    return value if origin == own else f"{origin}:{value}"


def _number(values: Sequence[str]) -> float | None:
    for v in values:
        try:
            w = float(v)
        except ValueError:
            continue
        if w > 0:
            return w
    return None


def _normal(kind: str, value: str) -> str:
    if kind == "phone":
        return phone_key(value)
    return " ".join(name_tokens([value]))[:300]


def extract(
    rid: str, schema: str, props: Mapping[str, list[str]], origin: str, own: str
) -> tuple[list[EdgeRow], list[AttrRow]]:
    """The edges and shared attributes of one record (see the module docstring)."""
    rel = relations()

    def refs(prop: str) -> list[str]:
        out = [local_ref(v, origin, own) for v in props.get(prop, [])]
        return [r for r in dict.fromkeys(out) if len(r) <= MAX_REF]

    edges: list[EdgeRow] = []
    when = event_date(schema, props)
    date = when[:10] if when else None
    for rule in rel.edges.get(schema, ()):
        kind = rule.kind
        if rule.kind_from and props.get(rule.kind_from):
            kind = props[rule.kind_from][0].strip().lower()[:64] or kind
        weight = (_number(props.get(rule.weight_from, [])) if rule.weight_from else None) or 1.0
        sources, targets = refs(rule.source), refs(rule.target)
        if rule.source == rule.target:
            pairs = [(a, b) for i, a in enumerate(sources) for b in sources[i + 1 :]]
        else:
            pairs = [(a, b) for a in sources for b in targets if a != b]
        edges.extend(EdgeRow(a, b, kind, rule.directed, weight, date) for a, b in pairs)
    attrs: list[AttrRow] = []
    for attr in rel.attributes:
        if not _is_a(schema, attr.schema):
            continue
        holders = refs(attr.entity) if attr.entity else [rid]
        if attr.joined:
            parts = [(props.get(p) or [""])[0] for p in attr.props]
            values = ["|".join(_normal(attr.normalise, p) for p in parts)] if all(parts) else []
        else:
            values = [_normal(attr.normalise, v) for p in attr.props for v in props.get(p, [])]
        for value in dict.fromkeys(v for v in values if v):
            attrs.extend(AttrRow(h, attr.name, value) for h in holders)
    return edges, attrs


def describe() -> dict[str, Any]:
    """The declared edge kinds per schema and the attribute edge kinds (for docs, UI)."""
    rel = relations()
    return {
        "edges": {s: sorted({r.kind for r in rules}) for s, rules in rel.edges.items()},
        "attributes": rel.edge_kinds(),
    }
