"""A migrant-smuggling network: recruiters in Central America and southern Mexico, guides
who take groups through the southern border (Mexican records) and across the northern
border (US Border Patrol apprehensions, the guide caught with the group), safe houses on
both sides whose address turns up in the migrants' records, drivers in the US, and
migrants' families paying the recruiters by remittance.

Roles: leader (MX only), financier (both; sometimes a drug network's), recruiter (MX, a
few also in US remittance records), guide (both), safe_house (the side the house is on),
driver (US only). Migrants are ordinary people, not members.

Invariant: every migrant crosses the southern border before the northern one, and every
northern apprehension of a group names its guide on the same day.
"""

from __future__ import annotations

from puente.scenario import events as ev
from puente.scenario.draw import pick
from puente.scenario.networks import (
    Member,
    Network,
    during,
    enlist,
    new_network,
    organisation,
    pay,
    recruit,
    talk,
)
from puente.scenario.world import World


def build(w: World, number: int, financier: Member | None) -> Network:
    rng = w.rng
    net = new_network(w, "smuggling", number, (6, 30))
    leader = recruit(w, net, "leader", "mx", ("mx",), alias_share=0.9)
    if financier is None:
        financier = recruit(w, net, "financier", "mx", ("mx", "us"), 0.3)
    else:
        financier = enlist(w, net, financier, "financier")
    recruiters = [
        recruit(w, net, "recruiter", "ca", ("mx", "us") if rng.random() < 0.3 else ("mx",), 0.2)
        for _ in range(rng.randint(2, 5))
    ]
    guides = [
        recruit(w, net, "guide", pick(rng, ("mx", "mxus")), ("mx", "us"), 0.5)
        for _ in range(rng.randint(2, 5))
    ]
    houses = [recruit(w, net, "safe_house", "mx", ("mx",), 0.1) for _ in range(rng.randint(1, 2))]
    houses += [
        recruit(w, net, "safe_house", "mxus", ("us",), 0.1) for _ in range(rng.randint(1, 2))
    ]
    drivers = [
        recruit(w, net, "driver", pick(rng, ("us", "mxus")), ("us",), 0.1)
        for _ in range(rng.randint(2, 4))
    ]
    for m in recruiters + guides + [financier]:
        talk(w, leader, m, during(w, net), times=rng.randint(1, 5))
    for g in guides:
        talk(w, g, pick(rng, drivers), during(w, net), times=rng.randint(1, 4))
        talk(w, g, pick(rng, houses), during(w, net), times=rng.randint(1, 3))
    pay(w, financier, leader, during(w, net), rng.randint(5000, 50000), "operación")
    for _ in range(rng.randint(2, 6)):
        _group(w, net, pick(rng, recruiters), pick(rng, guides), houses, drivers)
    organisation(w, net, leader)
    return net


def _group(
    w: World,
    net: Network,
    recruiter: Member,
    guide: Member,
    houses: list[Member],
    drivers: list[Member],
) -> None:
    """A group of migrants: southern crossing, a safe house, a northern apprehension."""
    rng = w.rng
    south = w.day(net.start, net.end - 30)
    north = w.day(south + 10, south + 60)
    house_us = next((h for h in houses if h.nodes == ("us",)), None)
    apprehended = rng.random() < 0.7
    if apprehended:
        ev.crossing(
            w,
            "us",
            guide.rid(w, "us"),
            north,
            "northbound",
            "apprehension",
            port=pick(rng, w.cat.words("sectors_north")),
        )
        ev.crossing(w, "mx", guide.rid(w, "mx"), south, "northbound", "inspección")
    for _ in range(rng.randint(4, 12)):
        migrant = w.new_person("ca", origin="migrant")
        if house_us is not None and rng.random() < 0.4:
            migrant.address_us = house_us.person.address_us  # the safe house, as declared
        mx = w.record_of(migrant, "mx")
        ev.crossing(w, "mx", mx, south, "northbound", pick(rng, ("rescate", "presentación")))
        if apprehended:
            us = w.record_of(migrant, "us")
            ev.crossing(
                w,
                "us",
                us,
                north,
                "northbound",
                "apprehension",
                port=pick(rng, w.cat.words("sectors_north")),
            )
            if "us" in recruiter.nodes and rng.random() < 0.5:
                ev.payment(
                    w,
                    "us",
                    us,
                    recruiter.rid(w, "us"),
                    w.day(north - 90, north),
                    rng.randint(2500, 9000),
                    "Western Union",
                )
        elif rng.random() < 0.4:
            ev.payment(
                w,
                "mx",
                mx,
                recruiter.rid(w, "mx"),
                w.day(south - 60, south),
                rng.randint(40000, 150000),
                "Elektra",
            )
    if not apprehended and drivers:
        ev.crossing(w, "us", pick(rng, drivers).rid(w, "us"), north, "northbound", "inspection")
