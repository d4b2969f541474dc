"""The fixed vocabulary of the synthetic world, read from ``catalogue.yaml``.

Invariant: the catalogue is immutable data loaded once; every list keeps the file's order,
so drawing from it with a seeded ``random.Random`` gives the same world on every machine.
Markings are pre-rendered to their JSON text here (the writer pastes them into each line)
after checking each one with ``puente.model.markings.Markings.parse``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from puente.model.markings import Markings


@dataclass(frozen=True)
class Gun:
    make: str
    model: str
    type: str
    caliber: str
    serial: str  # pattern: '@' a letter, '#' a digit, anything else literal
    kind: str  # ar | ak | fifty | pistol | other
    weight: int
    country: str  # alpha-2, FtM style


@dataclass(frozen=True)
class MxPlace:
    city: str
    state: str
    curp: str  # the state's two-letter code inside a CURP
    area: str
    lat: float
    lon: float


@dataclass(frozen=True)
class UsCity:
    city: str
    state: str
    areas: tuple[str, ...]
    zip: str


@dataclass(frozen=True)
class SeaArea:
    name: str
    lat: tuple[float, float]
    lon: tuple[float, float]


@dataclass(frozen=True)
class MarkingChoice:
    """One weighted marking option; ``json_for[node]`` is the text written in the file."""

    weight: int
    json_for: dict[str, str]


@dataclass(frozen=True)
class Catalogue:
    raw: dict[str, Any]
    sha256: str
    guns: tuple[Gun, ...]
    mx_places: tuple[MxPlace, ...]
    us_cities: tuple[UsCity, ...]
    sea_areas: tuple[SeaArea, ...]
    markings: dict[str, tuple[MarkingChoice, ...]]

    def words(self, key: str) -> list[str]:
        value = self.raw[key]
        assert isinstance(value, list)
        return [str(v) for v in value]

    def agencies(self, key: str) -> list[str]:
        return [str(v) for v in self.raw["agencies"][key]]


NODES = {"mx": "MEX", "us": "USA"}


def _marking(spec: str, node: str) -> str:
    classification, rel, handling, evaluation = spec.split("/")
    own = NODES[node]
    partner = next(code for code in NODES.values() if code != own)
    data = {
        "classification": classification,
        "rel_to": [partner] if rel == "P" else [],
        "handling": handling,
        "source_reliability": evaluation[0],
        "info_credibility": evaluation[1],
    }
    Markings.parse(data, originator=own, partners={partner})  # refuse a bad profile early
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@cache
def load_catalogue() -> Catalogue:
    text = resources.files("puente.scenario").joinpath("catalogue.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    guns = tuple(
        Gun(
            make=str(g["make"]),
            model=str(g["model"]),
            type=str(g["type"]),
            caliber=str(g["caliber"]),
            serial=str(g["serial"]),
            kind=str(g["kind"]),
            weight=int(g["w"]),
            country=str(g["mfc"]),
        )
        for g in raw["guns"]
    )
    places = tuple(
        MxPlace(str(p["city"]), str(p["state"]), str(p["curp"]), str(p["area"]), p["lat"], p["lon"])
        for p in raw["mx_places"]
    )
    cities = tuple(
        UsCity(str(c["city"]), str(c["state"]), tuple(str(a) for a in c["area"]), str(c["zip"]))
        for c in raw["us_cities"]
    )
    seas = tuple(
        SeaArea(str(s["name"]), (s["lat"][0], s["lat"][1]), (s["lon"][0], s["lon"][1]))
        for s in raw["sea_areas"]
    )
    markings = {
        kind: tuple(
            MarkingChoice(int(w), {node: _marking(spec, node) for node in NODES})
            for spec, w in options.items()
        )
        for kind, options in raw["markings"].items()
    }
    return Catalogue(
        raw=raw,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        guns=guns,
        mx_places=places,
        us_cities=cities,
        sea_areas=seas,
        markings=markings,
    )
