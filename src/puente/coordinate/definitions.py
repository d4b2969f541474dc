"""Computed-indicator definitions, declared as data (``data/indicators.yaml``, plus an
optional ``indicators.yaml`` in the node directory for a node's own): a name, the es/en
texts, unit, direction, a query ``kind`` from the evaluator registry and its parameters.

Invariant: ``definitions`` returns only definitions whose kind exists and whose
parameters the kind accepts (``evaluators.check_params``); a bad file is refused whole
with ``InvalidInput`` naming the definition, never half-loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from puente.coordinate import vocab
from puente.coordinate.evaluators import check_params
from puente.errors import InvalidInput
from puente.node import Node

FILE = "indicators.yaml"
WINDOWS = ("period", "cumulative")


@dataclass(frozen=True)
class Definition:
    name: str
    text: dict[str, str]
    definition: dict[str, str]
    unit: str
    direction: str
    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    window: str = "period"
    since: str = ""
    capability: str = ""


def parse(name: str, data: Any) -> Definition:
    if not isinstance(data, dict):
        raise InvalidInput("coordinate.bad_definition", name=name, field="-")
    try:
        definition = Definition(
            name=name,
            text={"es": str(data["es"]), "en": str(data["en"])},
            definition={
                "es": str(data.get("definition_es", "")),
                "en": str(data.get("definition_en", "")),
            },
            unit=str(data["unit"]),
            direction=vocab.check("direction", str(data["direction"])),
            kind=str(data["kind"]),
            params=dict(data.get("params") or {}),
            window=str(data.get("window", "period")),
            since=str(data.get("since", "")),
            capability=str(data.get("capability", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput("coordinate.bad_definition", name=name, field=str(exc)[:40]) from exc
    if definition.window not in WINDOWS:
        raise InvalidInput("coordinate.bad_definition", name=name, field="window")
    check_params(definition.kind, definition.params, definition.capability)
    return definition


def parse_file(text: str, source: str) -> dict[str, Definition]:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise InvalidInput("coordinate.bad_definition", name=source, field="yaml") from exc
    if not isinstance(data, dict):
        raise InvalidInput("coordinate.bad_definition", name=source, field="-")
    return {str(k): parse(str(k), v) for k, v in data.items()}


def builtin() -> dict[str, Definition]:
    text = resources.files("puente.coordinate").joinpath("data", FILE).read_text("utf-8")
    return parse_file(text, FILE)


def definitions(node: Node | None = None) -> dict[str, Definition]:
    """The built-in definitions, overlaid by the node's own file if it has one."""
    out = builtin()
    if node is not None:
        path = Path(node.settings.node_dir) / FILE
        if path.is_file():
            out.update(parse_file(path.read_text("utf-8"), str(path)))
    return out
