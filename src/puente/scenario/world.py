"""The generation context: parameters, the one random stream, the sink and the truth, and
the registries of people, guns and dealers that events refer to.

Invariants:
- every choice is drawn from ``World.rng`` (one ``random.Random`` seeded from the seed), in
  a fixed order, so a world is a pure function of ``(size, seed)``;
- a person's records in a node are emitted the first time an event needs them, and the
  truth row for each record is written in the same call: no record without its truth;
- only network members and dealers are kept in memory; a background person is dropped
  when their life is written, so memory does not grow with ``size``.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from puente.scenario import identifiers as ids
from puente.scenario.catalogue import Gun, UsCity, load_catalogue
from puente.scenario.draw import between, pick
from puente.scenario.people import Person, RecordHabits, make_person, mx_record, us_record
from puente.scenario.truth import Truth
from puente.scenario.writer import Sink


@dataclass(frozen=True)
class Params:
    """Every knob of the world; ``docs/scenario.md`` explains each one."""

    size: int
    seed: int
    start: str = "2021-01-01"
    end: str = "2025-06-30"
    habits: RecordHabits = field(default_factory=RecordHabits)
    # Background people: who they are, and the share present in both nodes' records.
    culture_mix: tuple[tuple[str, float], ...] = (
        ("mx", 0.55),
        ("us", 0.28),
        ("mxus", 0.14),
        ("ca", 0.03),
    )
    both_nodes: tuple[tuple[str, float], ...] = (
        ("mx", 0.08),
        ("us", 0.03),
        ("mxus", 0.45),
        ("ca", 0.35),
    )
    duplicate: float = 0.05  # a second record of the same person in the same node
    # How Mexican seizure records write a gun's serial: OCR error, partial, missing.
    serial_errors: tuple[float, float, float] = (0.18, 0.12, 0.06)
    recovered: float = 0.35  # share of trafficked guns recovered in Mexico
    networks_per_million: tuple[tuple[str, float], ...] = (
        ("arms", 40.0),
        ("drugs", 15.0),
        ("smuggling", 20.0),
    )
    min_networks: int = 2
    shared_brokers: float = 0.3  # share of arms rings whose broker also serves a drug network

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values (tuples become lists), as the manifest stores them."""
        data: dict[str, Any] = json.loads(json.dumps(asdict(self)))
        return data

    def network_count(self, kind: str) -> int:
        rate = dict(self.networks_per_million)[kind]
        return max(self.min_networks, round(self.size * rate / 1_000_000))


@dataclass(frozen=True)
class GunTruth:
    gid: str
    spec: Gun
    serial: str


@dataclass(frozen=True)
class Dealer:
    rid: str
    name: str
    ffl: str
    city: UsCity


class World:
    def __init__(self, out: Path, params: Params) -> None:
        self.p = params
        self.cat = load_catalogue()
        self.rng = random.Random(f"puente-scenario:{params.seed}")
        self.sink = Sink(out, params.seed)
        self.truth = Truth(out)
        self.start = date.fromisoformat(params.start).toordinal()
        self.end = date.fromisoformat(params.end).toordinal()
        self.person_seq = 0
        self.gun_seq = 0
        self.vessel_seq = 0
        self._gun_weights = [g.weight for g in self.cat.guns]
        self.dealers = [self._dealer() for _ in range(max(30, params.size // 4000))]

    # --- time -------------------------------------------------------------------
    def day(self, lo: int | None = None, hi: int | None = None) -> int:
        lo = self.start if lo is None else max(lo, self.start)
        hi = self.end if hi is None else min(hi, self.end)
        return lo if hi <= lo else between(self.rng, lo, hi)

    @staticmethod
    def iso(day: int) -> str:
        return date.fromordinal(day).isoformat()

    # --- people -----------------------------------------------------------------
    def new_person(self, culture: str, alias_share: float = 0.03, origin: str = "") -> Person:
        """A new real person; ``origin`` (background, network, migrant, possessor) says
        why they exist, for the truth file."""
        self.person_seq += 1
        pid = f"P{self.person_seq:08d}"
        p = make_person(pid, culture, self.rng, self.p.habits, alias_share=alias_share)
        n = p.name
        self.truth.row(
            "people",
            pid,
            origin,
            culture,
            n.gender,
            n.given,
            n.paternal,
            n.maternal,
            p.born.isoformat(),
            p.nationality,
            p.alias,
            p.curp,
            p.ssn,
        )
        return p

    def record_of(self, person: Person, node: str, marking: str = "person") -> str:
        """One of ``person``'s records in ``node``, written the first time it is asked
        for (with, sometimes, a duplicate record of the same person)."""
        records = person.records.get(node)
        if records is None:
            records = person.records[node] = [self._person_record(person, node, marking)]
            if self.rng.random() < self.p.duplicate:
                records.append(self._person_record(person, node, marking))
        return records[0] if len(records) == 1 else pick(self.rng, records)

    def _person_record(self, person: Person, node: str, marking: str) -> str:
        render = mx_record if node == "mx" else us_record
        rid = self.sink.emit(
            node, "persons", "Person", render(person, self.rng, self.p.habits), marking
        )
        self.truth.row("persons", rid, node, person.pid)
        return rid

    def phone_text(self, person: Person, node: str) -> str:
        """The number as ``node``'s call records write it ("" when the person has none)."""
        if node == "mx" and person.phone_mx:
            return ids.format_mx_phone(person.phone_mx, self.rng)
        if person.phone_us:
            prefix = "+1 " if node == "mx" else ""
            return prefix + ids.format_us_phone(person.phone_us, self.rng)
        if person.phone_mx:
            return "+52 " + person.phone_mx
        return person.phone_ca

    # --- firearms ---------------------------------------------------------------
    def new_gun(self, kinds: tuple[str, ...] | None = None) -> GunTruth:
        guns, weights = self.cat.guns, self._gun_weights
        if kinds is not None:
            guns = tuple(g for g in guns if g.kind in kinds)
            weights = [g.weight for g in guns]
        spec = self.rng.choices(guns, weights)[0]
        self.gun_seq += 1
        return GunTruth(f"G{self.gun_seq:08d}", spec, ids.serial_from(spec.serial, self.rng))

    def firearm_record(self, node: str, gun: GunTruth, serial: str, description: str = "") -> str:
        s = gun.spec
        props: dict[str, Any] = {"make": s.make, "serialNumber": serial}
        if node == "us":
            props.update(model=s.model, firearmType=s.type, caliber=s.caliber)
            props["manufactureCountry"] = s.country
        else:  # Mexican seizure records describe the gun and often miss the model
            props["description"] = description
            props["caliber"] = s.caliber if self.rng.random() < 0.8 else ""
            props["model"] = s.model if self.rng.random() < 0.5 else ""
            props["firearmType"] = {"rifle": "fusil", "pistol": "pistola"}.get(s.type, s.type)
        rid = self.sink.emit(node, "firearms", "Firearm", props, "firearm")
        self.truth.row("firearms", rid, node, gun.gid)
        return rid

    def describe(self, gun: GunTruth) -> str:
        return str(pick(self.rng, self.cat.raw["gun_descriptions"][gun.spec.kind]))

    # --- dealers ----------------------------------------------------------------
    def _dealer(self) -> Dealer:
        city = pick(self.rng, self.cat.us_cities[:16])  # border-state dealers
        owner = pick(self.rng, ("Smith", "Garcia", "Miller", "Hernandez", "Johnson", "Lopez"))
        name = pick(
            self.rng,
            (
                f"{owner}'s Guns",
                f"{city.city} Sporting Goods",
                f"{owner} Pawn & Gun",
                "Border Tactical LLC",
                f"{city.city} Firearms",
                "Lone Star Outfitters" if city.state == "TX" else "Desert Arms",
            ),
        )
        ffl = ids.ffl(self.rng)
        road = pick(self.rng, ("Main St", "Hwy 90", "Mesa St", "Broadway"))
        street = f"{between(self.rng, 100, 9999)} {road}"
        props = {
            "name": name,
            "licenseNumber": ffl,
            "address": f"{street}, {city.city}, {city.state}",
            "country": "us",
            "sector": "Federal Firearms Licensee",
        }
        rid = self.sink.emit("us", "organizations", "Company", props, "dealer")
        return Dealer(rid, name, ffl, city)
