"""How well tracing finds the first purchase on a scenario world, against its truth.

One trace request per seizure (every Recovery record of the MX node that holds a
trafficked gun) goes from the MX node to the US node over the signed channel; the US node
processes them; the MX node reads the released results. A gun is *traced* when its result
is ``completed`` and names the acquisition the truth file (``chains.csv``) names; a
*wrong purchaser* is a ``completed`` result naming any other acquisition.

Invariant: the truth files are read only to score, never to build a request.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import httpx

from puente.node import Node
from puente.store.users import SYSTEM
from puente.trace import inbound, requests, seizure


@dataclass(frozen=True)
class Accuracy:
    guns: int
    traced: int
    wrong: int
    partial: int
    no_record: int

    @property
    def share(self) -> float:
        return self.traced / self.guns if self.guns else 0.0


def _truth(world: Path) -> tuple[dict[str, str], dict[str, str], list[str]]:
    with (world / "truth" / "firearms.csv").open(encoding="utf-8") as f:
        gun_of = {r["record_id"]: r["gun_id"] for r in csv.DictReader(f) if r["node"] == "mx"}
    with (world / "truth" / "chains.csv").open(encoding="utf-8") as f:
        chains = [r for r in csv.DictReader(f) if r["recovery_record"]]
    bought = {r["gun_id"]: r["purchase_record"] for r in chains}
    return gun_of, bought, sorted({r["recovery_record"] for r in chains})


def trace_world(mx: Node, us: Node, world: Path, http: httpx.Client, partner: str) -> Accuracy:
    """Trace every seizure of trafficked guns in ``world`` (already loaded in both nodes)."""
    gun_of, bought, seizures = _truth(world)
    sent = []
    for rec in seizures:
        items = seizure.from_recovery(mx, SYSTEM, rec, partner)
        sent.append(requests.create(mx, SYSTEM, partner, items, rec, http=http)["request"])
    inbound.process(us, SYSTEM)
    guns = traced = wrong = partial = no_record = 0
    for rid in sent:
        for it in requests.refresh(mx, SYSTEM, rid, http=http)["items"]:
            truth = bought.get(gun_of.get(it["firearm"].get("ref", ""), ""))
            if truth is None:
                continue  # a gun of the seizure that no US purchase explains
            guns += 1
            if it["status"] == "completed":
                ok = it["result"]["acquisition"] == truth
                traced += ok
                wrong += not ok
            partial += it["status"] == "partial"
            no_record += it["status"] == "no_record"
    return Accuracy(guns, traced, wrong, partial, no_record)
