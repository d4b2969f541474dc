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
    rows = []
    for p in purchases:
        text, kind = serial_observed(p.gun.serial, w.rng, w.p.serial_errors)
        items.append(w.firearm_record("mx", p.gun, text, w.describe(p.gun)))
        rows.append((p, items[-1], text, kind))
    rec = ev.recovery(w, possessor_rid, day, place, items, drug=drug, quantity=quantity)
    for p, _, text, kind in rows:
        w.truth.row(
            "chains",
            p.gun.gid,
            p.network,
            p.acquisition,
            w.iso(p.day),
            p.dealer,
            p.buyer_pid,
            rec,
            w.iso(day),
            day - p.day,
            possessor_pid,
            p.gun.serial,
            text,
            kind,
        )
    return rec


def never_recovered(w: World, p: Purchase) -> None:
    w.truth.row(
        "chains",
        p.gun.gid,
        p.network,
        p.acquisition,
        w.iso(p.day),
        p.dealer,
        p.buyer_pid,
        "",
        "",
        "",
        "",
        p.gun.serial,
        "",
        "",
    )
