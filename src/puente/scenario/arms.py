"""An arms-trafficking ring: straw purchasers buy rifles (AR- and AK-type, some .50
calibre) at a few favourite dealers in the border states, often several per visit; a
broker pays them and talks to them; couriers take the guns south across the border; the
guns turn up in Mexican seizures months or years later, with misread serials.

Roles: leader (MX records only), broker (both), straw purchaser (US records; a few also
arrested in Mexico), courier (both), receiver (MX records only).

Invariant: every gun a straw purchaser buys is trafficked and gets one chains.csv row;
about ``Params.recovered`` of them are seized in Mexico (never before their purchase, and
never after the end of the world's time window).
"""

from __future__ import annotations

import math

from puente.scenario import events as ev
from puente.scenario.chains import Purchase, never_recovered, seize
from puente.scenario.draw import pick
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
from puente.scenario.world import World

MIX = (("ar",) * 12) + (("ak",) * 5) + ("fifty", "pistol", "pistol")


def build(w: World, number: int) -> Network:
    rng = w.rng
    net = new_network(w, "arms", number, (6, 24))
    leader = recruit(w, net, "leader", "mx", ("mx",), alias_share=0.9)
    brokers = [
        recruit(w, net, "broker", "mxus", ("mx", "us"), 0.5) for _ in range(rng.randint(1, 2))
    ]
    straws = [
        recruit(
            w,
            net,
            "straw_purchaser",
            pick(rng, ("us", "mxus", "mxus")),
            ("us", "mx") if rng.random() < 0.15 else ("us",),
            0.05,
        )
        for _ in range(rng.randint(4, 14))
    ]
    couriers = [
        recruit(w, net, "courier", pick(rng, ("mx", "mxus")), ("us", "mx"), 0.3)
        for _ in range(rng.randint(1, 3))
    ]
    receivers = [recruit(w, net, "receiver", "mx", ("mx",), 0.6) for _ in range(rng.randint(1, 3))]
    dealers = rng.sample(w.dealers, min(3, len(w.dealers)))

    purchases: list[Purchase] = []
    for straw in straws:
        broker = pick(rng, brokers)
        talk(w, broker, straw, during(w, net), times=rng.randint(2, 6))
        buyer = straw.rid(w, "us")
        for _ in range(rng.randint(2, 8)):
            day = during(w, net)
            dealer = pick(rng, dealers)
            guns = [w.new_gun((pick(rng, MIX),)) for _ in range(_guns_per_visit(w))]
            rids = [w.firearm_record("us", g, g.serial) for g in guns]
            acq = ev.acquisition(w, buyer, dealer, day, rids)
            purchases += [
                Purchase(g, acq, day, dealer.rid, straw.person.pid, net.nid) for g in guns
            ]
            pay(w, broker, straw, day + rng.randint(0, 3), 150.0 * len(guns) + rng.randint(0, 300))
        if rng.random() < 0.15:
            ev.arrest(w, "us", buyer, w.day(net.end, net.end + 200), "18 USC 932 straw purchase")
    _smuggle(w, net, couriers, brokers, purchases)
    _recover(w, net, receivers, purchases)
    for broker in brokers:
        talk(w, leader, broker, during(w, net), times=rng.randint(3, 8))
        pay(w, leader, broker, during(w, net), rng.randint(3000, 30000), "anticipo")
    for receiver in receivers:
        talk(w, leader, receiver, during(w, net), times=rng.randint(1, 4))
    organisation(w, net, leader)
    return net


def _guns_per_visit(w: World) -> int:
    return w.rng.choices((1, 2, 3, 4, 5), (30, 25, 20, 15, 10))[0]


def _smuggle(
    w: World, net: Network, couriers: list[Member], brokers: list[Member], purchases: list[Purchase]
) -> None:
    """Couriers cross south with the guns a few weeks after the purchases."""
    rng = w.rng
    for courier in couriers:
        talk(w, pick(rng, brokers), courier, during(w, net), times=rng.randint(1, 4))
        vehicle = ev.vehicle(w, "us", courier.rid(w, "us"), net.start)
        for _ in range(max(1, len(purchases) // (6 * len(couriers)))):
            day = w.day(net.start + 14, net.end + 30)
            ev.crossing(
                w, "us", courier.rid(w, "us"), day, "southbound", "admission", vehicle_rid=vehicle
            )
        if rng.random() < 0.25:
            ev.arrest(w, "mx", courier.rid(w, "mx"), during(w, net), "acopio de armas")


def _recover(w: World, net: Network, receivers: list[Member], purchases: list[Purchase]) -> None:
    """Group the recovered guns into seizures, each with a possessor and a place."""
    rng = w.rng
    found: list[tuple[int, Purchase]] = []
    for p in purchases:
        if rng.random() < w.p.recovered:
            later = p.day + 20 + int(rng.lognormvariate(math.log(300), 0.8))
            if later < w.end:
                found.append((later, p))
                continue
        never_recovered(w, p)
    found.sort(key=lambda item: (item[0], item[1].gun.gid))
    i = 0
    while i < len(found):
        batch = found[i : i + rng.randint(1, 6)]
        i += len(batch)
        day = batch[-1][0]
        if rng.random() < 0.6:
            holder = pick(rng, receivers)
            rid, pid = holder.rid(w, "mx"), holder.person.pid
        else:  # a gunman outside the ring, caught with the guns
            gunman = w.new_person("mx", 0.4, "possessor")
            rid, pid = w.record_of(gunman, "mx"), gunman.pid
        drug = pick(rng, w.cat.words("drugs")) if rng.random() < 0.2 else ""
        seize(
            w,
            [p for _, p in batch],
            day,
            rid,
            pid,
            pick(rng, net.places),
            drug=drug,
            quantity=round(rng.uniform(0.5, 40), 1) if drug else 0.0,
        )
        if rng.random() < 0.4:
            ev.arrest(w, "mx", rid, day, "portación de arma de uso exclusivo")
