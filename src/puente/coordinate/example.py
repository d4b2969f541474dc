"""The example framework (``data/framework-2025.yaml``): the commitments announced in
2025, loaded into the node that owns each item, written through the same functions a
secretariat uses. ``load_example_framework(nodes)`` loads it into every demo node in one
call; each node writes only the items whose ``owner`` is its country, and the exchange
then gives each side the other's, so the tree is whole on both after a sync.

Invariants: loading is idempotent (fixed ids; unchanged content writes nothing); a
reference to an item another node owns is written as that node's copy id
(``USA:gi25-3.1``), the namespace rule of ``items.local_ref``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from puente.coordinate import csvimport
from puente.coordinate.definitions import definitions
from puente.coordinate.indicators import create_indicator, indicator_id, record_observation
from puente.coordinate.meetings import DecisionIn, MeetingIn, add_meeting
from puente.coordinate.writes import markings_for, save
from puente.node import Node
from puente.store.users import SYSTEM, User

FILE = "framework-2025.yaml"
CBP = Path("data") / "cbp-southwest-border-encounters" / "sbo-encounters-fy22-fy25-aug.csv"


@dataclass
class Loaded:
    country: str
    items: int = 0
    indicators: int = 0
    observations: int = 0
    meetings: int = 0


def example() -> dict[str, Any]:
    text = resources.files("puente.coordinate").joinpath("data", FILE).read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def find_cbp() -> Path | None:
    """The CBP encounters file of the project's shared data, if it is beside the code
    (``PUENTE_CBP_FILE`` names another)."""
    named = os.environ.get("PUENTE_CBP_FILE")
    candidates = [Path(named)] if named else []
    candidates += [p / "shared" / CBP for p in Path(__file__).resolve().parents[3:6]]
    return next((p for p in candidates if p.is_file()), None)


def _ref(ref: str, owner_of: dict[str, str], here: str) -> str:
    owner = owner_of.get(ref, here)
    return ref if owner == here else f"{owner}:{ref}"


def load_example(node: Node, user: User = SYSTEM, *, cbp_file: Path | None = None) -> Loaded:
    """Write this node's share of the example framework."""
    data = example()
    here = node.country
    out = Loaded(here)
    owner_of = {i["id"]: i["owner"] for i in data["items"]}
    for item in data["items"]:
        if item["owner"] != here:
            continue
        props = {
            "level": item["level"], "number": item["number"], "titleEs": item["es"],
            "titleEn": item["en"], "parent": _ref(item["parent"], owner_of, here)
            if item.get("parent") else "", "status": item.get("status", "not_started"),
            "owners": item.get("owners", []), "dueDate": item.get("due", ""),
            "startDate": item.get("start", ""), "completedDate": item.get("completed", ""),
        }  # fmt: skip
        marks = markings_for(node, {"classification": item.get("classification", "public")})
        save(node, user, item["id"], "Commitment", props, marks, action="example")
        out.items += 1
    for n, ms in enumerate(data.get("milestones", []), 1):
        if ms["owner"] == here:
            props = {
                "commitment": ms["commitment"],
                "titleEs": ms["es"],
                "titleEn": ms["en"],
                "dueDate": ms.get("due", ""),
                "completedDate": ms.get("completed", ""),
            }
            save(node, user, f"{ms['commitment']}-m{n}", "Milestone", props,
                 markings_for(node, {"classification": "public"}), action="example")  # fmt: skip
    defs = definitions(node)
    for ind in data["indicators"]:
        if ind["owner"] != here:
            continue
        defn = defs.get(ind.get("evaluator", ""))
        texts = {
            "name_es": ind.get("es") or (defn.text["es"] if defn else ""),
            "name_en": ind.get("en") or (defn.text["en"] if defn else ""),
            "definition_es": ind.get("definition_es") or (defn.definition["es"] if defn else ""),
            "definition_en": ind.get("definition_en") or (defn.definition["en"] if defn else ""),
            "unit": ind.get("unit") or (defn.unit if defn else ""),
            "direction": ind.get("direction") or (defn.direction if defn else "increase"),
        }
        create_indicator(
            node, user, code=ind["code"], kind=ind["kind"], evaluator=ind.get("evaluator", ""),
            periodicity=ind["periodicity"], baseline=ind.get("baseline"),
            baseline_period=ind.get("baseline_period", ""), target=ind.get("target"),
            target_period=ind.get("target_period", ""),
            commitments=[_ref(c, owner_of, here) for c in ind.get("commitments", [])],
            markings={"classification": "public"}, **texts,
        )  # fmt: skip
        out.indicators += 1
    for ob in data.get("observations", []):
        if ob["owner"] == here:
            written, _ = record_observation(
                node, user, ob["indicator"], ob["period"], ob["value"],
                as_of=ob["as_of"], source=ob["source"],
            )  # fmt: skip
            out.observations += int(written is not None)
    if here == "USA" and cbp_file is not None:
        rows = csvimport.read_rows(cbp_file, cbp_indicator=indicator_id("SW-ENCOUNTERS"),
                                   as_of="2025-09-15")  # fmt: skip
        out.observations += csvimport.import_rows(node, user, rows).written
    for mt in data.get("meetings", []):
        if mt["owner"] != here:
            continue
        decisions = tuple(
            DecisionIn(
                d["es"], d["en"], tuple(_ref(c, owner_of, here) for c in d.get("creates", []))
            )
            for d in mt.get("decisions", [])
        )
        meeting = MeetingIn(
            date=mt["date"], title_es=mt["es"], title_en=mt["en"], place=mt.get("place", ""),
            agenda_es=tuple(mt.get("agenda_es", [])), agenda_en=tuple(mt.get("agenda_en", [])),
            attendees=tuple(mt.get("attendees", [])), decisions=decisions,
            markings={"classification": "public"},
        )  # fmt: skip
        add_meeting(node, user, meeting, rid=mt["id"])
        out.meetings += 1
    return out


def load_example_framework(nodes: Sequence[Node], cbp_file: Path | None = None) -> list[Loaded]:
    """The demo's one call: every node writes its share of the 2025 framework."""
    cbp = cbp_file or find_cbp()
    return [load_example(n, cbp_file=cbp) for n in nodes]
