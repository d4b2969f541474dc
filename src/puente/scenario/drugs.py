"""A drug-trafficking network: producers in Mexico, transporters crossing north, go-fast
boats and semi-submersibles interdicted at sea (by SEMAR, the US Coast Guard, or both, so
one vessel appears in both nodes under different names), distributors in the US paying
back through a financier.

Roles: leader, financier (both nodes; may also fund a smuggling network), producer (MX
only), transporter (both), boat_crew (the node that interdicted them), distributor (US
only).

Invariant: every Vessel record gets one vessels.csv row; a vessel interdicted by both
countries has one vessel id and a record in each node.
"""

from __future__ import annotations

from puente.scenario import events as ev
from puente.scenario import identifiers as ids
from puente.scenario.draw import between, pick
from puente.scenario.networks import (
    Member,
    Network,
    during,
    new_network,
    organisation,
    pay,
    recruit,
    talk,
)
from puente.scenario.noise import strip_accents
from puente.scenario.world import World

BOAT_NAMES = (
    "Don Chuy",
    "La Güera",
    "Santa Fe",
    "El Guerrero",
    "Mar Azul",
    "San Judas",
    "Doña Lupe",
    "Estrella del Mar",
    "El Costeño",
    "Golondrina",
)


def build(w: World, number: int) -> Network:
    rng = w.rng
    net = new_network(w, "drugs", number, (12, 36))
    leader = recruit(w, net, "leader", "mx", ("mx",), alias_share=0.95)
    financier = recruit(w, net, "financier", pick(rng, ("mx", "mxus")), ("mx", "us"), 0.3)
    producers = [recruit(w, net, "producer", "mx", ("mx",), 0.4) for _ in range(rng.randint(2, 4))]
    transporters = [
        recruit(w, net, "transporter", pick(rng, ("mx", "mxus")), ("mx", "us"), 0.4)
        for _ in range(rng.randint(3, 6))
    ]
    distributors = [
        recruit(w, net, "distributor", pick(rng, ("us", "mxus")), ("us",), 0.2)
        for _ in range(rng.randint(3, 8))
    ]
    for m in [*producers, financier]:
        talk(w, leader, m, during(w, net), times=rng.randint(2, 6))
        pay(w, financier, m, during(w, net), rng.randint(2000, 40000), "insumos")
    for t in transporters:
        talk(w, pick(rng, producers), t, during(w, net), times=rng.randint(1, 4))
        for _ in range(rng.randint(1, 5)):
            ev.crossing(w, "us", t.rid(w, "us"), during(w, net), "northbound", "inspection")
        if rng.random() < 0.3:
            day = during(w, net)
            ev.recovery(
                w,
                t.rid(w, "mx"),
                day,
                pick(rng, net.places),
                [],
                drug=pick(rng, ("metanfetamina", "fentanilo", "cocaína")),
                quantity=round(rng.uniform(5, 400), 1),
            )
            ev.arrest(w, "mx", t.rid(w, "mx"), day, "delitos contra la salud")
    for d in distributors:
        talk(w, pick(rng, transporters), d, during(w, net), times=rng.randint(1, 5))
        for _ in range(rng.randint(1, 4)):
            pay(w, d, financier, during(w, net), rng.randint(2000, 9000))
        if rng.random() < 0.3:
            ev.arrest(w, "us", d.rid(w, "us"), during(w, net), "21 USC 841 possession with intent")
    for _ in range(rng.randint(1, 3)):
        _voyage(w, net, leader)
    if rng.random() < 0.6:
        relative = pick(rng, producers)
        ev.link(
            w,
            "mx",
            "Family",
            leader.rid(w, "mx"),
            relative.rid(w, "mx"),
            pick(rng, ("hermano", "primo", "cuñado")),
            net.start,
        )
    organisation(w, net, leader)
    return net


def _voyage(w: World, net: Network, leader: Member) -> None:
    """One vessel, interdicted once or twice (by one country, or by each)."""
    rng = w.rng
    w.vessel_seq += 1
    vid = f"V{w.vessel_seq:06d}"
    vtype = pick(rng, w.cat.words("vessel_types"))
    flag = pick(rng, w.cat.words("vessel_flags"))
    name = pick(rng, BOAT_NAMES)
    mmsi = ids.mmsi(flag, rng) if vtype == "fishing vessel" else ""
    nodes = pick(rng, (("mx",), ("us",), ("mx", "us")))
    area = pick(rng, w.cat.sea_areas)
    crew_nodes = pick(rng, nodes)
    crew = [
        recruit(w, net, "boat_crew", pick(rng, ("mx", "ca")), (crew_nodes,), 0.1)
        for _ in range(rng.randint(2, 4))
    ]
    if crew_nodes == "mx":
        talk(w, leader, crew[0], during(w, net))
    for node in nodes:
        shown = name if node == "mx" else strip_accents(name).upper()
        if rng.random() < 0.3:
            shown = "sin nombre" if node == "mx" else "UNNAMED GO-FAST"
        props = {
            "name": shown,
            "type": vtype,
            "flag": flag if rng.random() < 0.7 else "",
            "mmsi": mmsi if rng.random() < 0.8 else "",
            "registrationNumber": f"{flag.upper()}-{between(rng, 1000, 99999)}"
            if vtype == "fishing vessel" and rng.random() < 0.5
            else "",
        }
        vrid = w.sink.emit(node, "vessels", "Vessel", props, "maritime")
        w.truth.row("vessels", vrid, node, vid)
        day = during(w, net)
        agency = "SEMAR" if node == "mx" else "USCG"
        cargo = pick(rng, ("cocaína", "cocaine")) if node == "mx" else "cocaine"
        ev_props = {
            "vessel": vrid,
            "date": w.iso(day),
            "agency": agency,
            "latitude": f"{rng.uniform(*area.lat):.4f}",
            "longitude": f"{rng.uniform(*area.lon):.4f}",
            "cargo": cargo,
            "quantity": f"{between(rng, 200, 3000)}",
            "summary": area.name,
        }
        w.sink.emit(node, "events", "Interdiction", ev_props, "maritime")
        if node == crew_nodes:
            charge = "tripulante" if node == "mx" else "46 USC 70503 drugs aboard a vessel"
            for m in crew:
                ev.arrest(w, node, m.rid(w, node), day, charge)
                aboard = {"subject": m.rid(w, node), "object": vrid, "role": "crew"}
                w.sink.emit(node, "relations", "UnknownLink", aboard, "link")
