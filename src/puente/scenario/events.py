"""Events and relations as each node records them: arrests, border crossings, calls,
payments, family and associate links, vehicles, firearm purchases, seizures and maritime
interdictions.

Invariant: every function writes records into one node only and references only record
ids of that node (a relation never points across the border); the truth rows that an
event implies are written by the caller that knows the truth (chains, networks).
"""

from __future__ import annotations

from typing import Any

from puente.scenario import identifiers as ids
from puente.scenario.catalogue import MxPlace
from puente.scenario.draw import between, pick
from puente.scenario.world import Dealer, World

COUNTRY = {"mx": "mx", "us": "us"}
_PAY_METHODS = {
    "us": ("Western Union", "MoneyGram", "Zelle", "cash deposit", "Remitly"),
    "mx": ("SPEI", "Elektra", "Coppel", "OXXO depósito", "efectivo"),
}


def arrest(w: World, node: str, person_rid: str, day: int, charge: str = "") -> str:
    cat = w.cat
    if node == "mx":
        place = pick(w.rng, cat.mx_places)
        where, agency = f"{place.city}, {place.state}", pick(w.rng, cat.agencies("mx_arrest"))
        charge = charge or pick(w.rng, cat.words("mx_charges"))
        name = "Detención"
    else:
        city = pick(w.rng, cat.us_cities)
        where, agency = f"{city.city}, {city.state}", pick(w.rng, cat.agencies("us_arrest"))
        charge = charge or pick(w.rng, cat.words("us_charges"))
        name = "Arrest"
    props = {
        "name": f"{name} — {agency}",
        "date": w.iso(day),
        "involved": person_rid,
        "summary": charge,
        "location": where,
        "country": COUNTRY[node],
        "keywords": "arrest",
    }
    return w.sink.emit(node, "events", "Event", props, "arrest")


def crossing(
    w: World,
    node: str,
    person_rid: str,
    day: int,
    direction: str,
    encounter: str,
    *,
    port: str = "",
    vehicle_rid: str = "",
) -> str:
    cat = w.cat
    if node == "us":
        port = port or pick(w.rng, cat.words("ports_north"))
        agency = "USBP" if encounter == "apprehension" else "CBP-OFO"
    else:
        port = port or pick(w.rng, cat.words("ports_south"))
        agency = pick(w.rng, cat.agencies("mx_border"))
    props = {
        "person": person_rid,
        "date": w.iso(day),
        "portOfEntry": port,
        "direction": direction,
        "encounterType": encounter,
        "agency": agency,
        "vehicle": vehicle_rid,
        "country": COUNTRY[node],
    }
    return w.sink.emit(node, "events", "BorderCrossing", props, "crossing")


def call(w: World, node: str, caller: tuple[str, str], receiver: tuple[str, str], day: int) -> str:
    """``caller`` and ``receiver`` are (record id, number as written)."""
    props = {
        "caller": caller[0],
        "callerNumber": caller[1],
        "receiver": receiver[0],
        "receiverNumber": receiver[1],
        "date": w.iso(day),
        "duration": str(between(w.rng, 5, 900)),
    }
    return w.sink.emit(node, "relations", "Call", props, "comms")


def payment(
    w: World,
    node: str,
    payer_rid: str,
    beneficiary_rid: str,
    day: int,
    amount: float,
    purpose: str = "",
) -> str:
    props = {
        "payer": payer_rid,
        "beneficiary": beneficiary_rid,
        "date": w.iso(day),
        "amount": f"{amount:.2f}",
        "currency": "USD" if node == "us" else "MXN",
        "purpose": purpose or pick(w.rng, _PAY_METHODS[node]),
        "transactionNumber": f"{w.rng.getrandbits(48):012X}",
    }
    return w.sink.emit(node, "relations", "Payment", props, "payment")


def link(w: World, node: str, schema: str, a: str, b: str, relationship: str, day: int) -> str:
    keys = {"Family": ("person", "relative"), "Associate": ("person", "associate")}
    first, second = keys[schema]
    props = {first: a, second: b, "relationship": relationship, "startDate": w.iso(day)}
    return w.sink.emit(node, "relations", schema, props, "link")


def membership(w: World, node: str, member: str, org: str, role: str) -> str:
    props = {"member": member, "organization": org, "role": role}
    return w.sink.emit(node, "relations", "Membership", props, "link")


def vehicle(w: World, node: str, owner_rid: str, day: int) -> str:
    rng = w.rng
    model = pick(
        rng,
        (
            "Nissan Tsuru",
            "Ford F-150",
            "Chevrolet Silverado",
            "Toyota Tacoma",
            "Dodge Ram 1500",
            "Nissan NP300",
            "Jeep Cherokee",
            "Honda Civic",
        ),
    )
    plate = ids.plate_mx(rng) if node == "mx" else ids.plate_us(rng)
    props: dict[str, Any] = {
        "name": f"{model} {plate}",
        "model": model,
        "registrationNumber": plate,
        "country": COUNTRY[node],
        "buildDate": str(between(rng, 1998, 2025)),
    }
    vid = w.sink.emit(node, "vehicles", "Vehicle", props, "registry")
    own = {"owner": owner_rid, "asset": vid, "startDate": w.iso(day), "role": "registered owner"}
    w.sink.emit(node, "relations", "Ownership", own, "registry")
    return vid


def acquisition(w: World, buyer_rid: str, dealer: Dealer, day: int, gun_rids: list[str]) -> str:
    props = {
        "purchaser": buyer_rid,
        "dealer": dealer.rid,
        "dealerLicense": dealer.ffl,
        "firearm": gun_rids,
        "date": w.iso(day),
        "city": dealer.city.city,
        "state": dealer.city.state,
        "country": "us",
    }
    return w.sink.emit("us", "events", "Acquisition", props, "acquisition")


def recovery(
    w: World,
    possessor_rid: str,
    day: int,
    place: MxPlace,
    items: list[str],
    *,
    drug: str = "",
    quantity: float = 0.0,
) -> str:
    props = {
        "date": w.iso(day),
        "agency": pick(w.rng, w.cat.agencies("mx_recovery")),
        "state": place.state,
        "municipality": place.city,
        "country": "mx",
        "possessor": possessor_rid,
        "items": items,
        "drugType": drug,
        "quantity": f"{quantity:.1f}" if quantity else "",
        "caseNumber": f"FED/{place.curp}/{between(w.rng, 1000, 9999)}/{date_year(w, day)}",
    }
    return w.sink.emit("mx", "events", "Recovery", props, "recovery")


def date_year(w: World, day: int) -> str:
    return w.iso(day)[:4]
