"""Trafficked guns from US purchase to Mexican seizure, and the truth row for each.

A ``Purchase`` is what the US node holds about one gun (its Firearm record inside an
Acquisition). ``seize`` writes what the MX node holds when guns are recovered together:
one Firearm record per gun, with the serial as the seizing agency wrote it (misread,
partial or missing at the rates in ``Params.serial_errors``), one Recovery record, and one
``chains.csv`` row per gun. ``never_recovered`` writes the row for a gun that stays out.

Invariant: every trafficked gun gets exactly one chains.csv row, written when its fate is
decided; the recorded serial in the row is byte-for-byte the one in the MX record.
"""

from __future__ import annotations

from dataclasses import dataclass

from puente.scenario import events as ev
from puente.scenario.catalogue import MxPlace
from puente.scenario.noise import serial_observed
from puente.scenario.world import GunTruth, World


@dataclass(frozen=True)
class Purchase:
    gun: GunTruth
    acquisition: str  # record id of the Acquisition (US node)
    day: int
    dealer: str  # record id of the dealer (US node)
    buyer_pid: str
    network: str  # "" for a gun diverted outside any planted network


def seize(
    w: World,
    purchases: list[Purchase],
    day: int,
    possessor_rid: str,
    possessor_pid: str,
    place: MxPlace,
    *,
    drug: str = "",
    quantity: float = 0.0,
) -> str:
    items: list[str] = []
    observed = []
    for p in purchases:
        text, kind = serial_observed(p.gun.serial, w.rng, w.p.serial_errors)
        items.append(w.firearm_record("mx", p.gun, text, w.describe(p.gun)))
        observed.append((p, text, kind))
    rec = ev.recovery(w, possessor_rid, day, place, items, drug=drug, quantity=quantity)
    for p, text, kind in observed:
        _row(w, p, rec, w.iso(day), str(day - p.day), possessor_pid, text, kind)
    return rec


def never_recovered(w: World, p: Purchase) -> None:
    _row(w, p, "", "", "", "", "", "")


def _row(
    w: World, p: Purchase, rec: str, day: str, ttc: str, possessor: str, text: str, kind: str
) -> None:
    w.truth.row(
        "chains",
        p.gun.gid,
        p.acquisition,
        rec,
        w.iso(p.day),
        day,
        ttc,
        p.network,
        p.dealer,
        p.buyer_pid,
        possessor,
        p.gun.serial,
        text,
        kind,
    )
