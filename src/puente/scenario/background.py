"""The background population: ordinary people whose records fill both nodes and hide the
networks — registry entries, arrests, border crossings, legal gun purchases, calls and
payments, vehicles — with some of them present in both countries' records.

Invariant: a life is written completely (records, truth rows) before the next one starts,
and only a bounded reservoir of (record id, phone) pairs per node survives it (partners
for later calls and payments), so memory does not grow with the number of lives.
"""

from __future__ import annotations

import itertools
import math

from puente.scenario import events as ev
from puente.scenario.chains import Purchase, seize
from puente.scenario.draw import below, pick
from puente.scenario.noise import serial_observed
from puente.scenario.people import Person
from puente.scenario.world import World

RESERVOIR = 4096


class Background:
    def __init__(self, w: World) -> None:
        self.w = w
        self.cultures = [c for c, _ in w.p.culture_mix]
        self.cum = list(itertools.accumulate(s for _, s in w.p.culture_mix))
        self.both = dict(w.p.both_nodes)
        self.reservoir: dict[str, list[tuple[str, str]]] = {"mx": [], "us": []}

    def life(self) -> None:
        w, rng = self.w, self.w.rng
        culture = rng.choices(self.cultures, cum_weights=self.cum)[0]
        person = w.new_person(culture, origin="background")
        home = "mx" if culture in ("mx", "ca") else "us"
        nodes = [home]
        if rng.random() < self.both[culture]:
            nodes.append("us" if home == "mx" else "mx")
        for node in nodes:
            if node == "mx":
                self._in_mx(person, home == node)
            else:
                self._in_us(person, home == node)
            self._remember(person, node)

    def _remember(self, person: Person, node: str) -> None:
        phone = self.w.phone_text(person, node)
        if not phone:
            return
        entry = (self.w.record_of(person, node), phone)
        pool = self.reservoir[node]
        if len(pool) < RESERVOIR:
            pool.append(entry)
        else:
            pool[below(self.w.rng, RESERVOIR)] = entry

    def _contacts(self, person: Person, node: str, call_p: float, pay_p: float) -> None:
        w, rng, pool = self.w, self.w.rng, self.reservoir[node]
        if not pool:
            return
        if rng.random() < call_p and (phone := w.phone_text(person, node)):
            me = (w.record_of(person, node), phone)
            other = pick(rng, pool)
            pair = (me, other) if rng.random() < 0.5 else (other, me)
            ev.call(w, node, pair[0], pair[1], w.day())
        if rng.random() < pay_p:
            amount = round(rng.lognormvariate(5.5 if node == "us" else 8.0, 1.0), 2)
            ev.payment(w, node, w.record_of(person, node), pick(rng, pool)[0], w.day(), amount)

    def _in_mx(self, person: Person, home: bool) -> None:
        w, rng = self.w, self.w.rng
        rid = w.record_of(person, "mx", "registry" if person.curp else "person")
        if person.culture == "ca":
            ev.crossing(w, "mx", rid, w.day(), "northbound", pick(rng, ("rescate", "presentación")))
        elif not home:  # a US resident in Mexican records: arrested or registered a vehicle
            if rng.random() < 0.5:
                ev.arrest(w, "mx", rid, w.day())
            else:
                ev.vehicle(w, "mx", rid, w.day())
            return
        if rng.random() < 0.25:
            ev.arrest(w, "mx", rid, w.day())
        if rng.random() < 0.15:
            ev.vehicle(w, "mx", rid, w.day())
        if rng.random() < 0.01:
            self._seized_gun(rid)
        self._contacts(person, "mx", 0.2, 0.08)

    def _in_us(self, person: Person, home: bool) -> None:
        w, rng = self.w, self.w.rng
        rid = w.record_of(person, "us")
        if person.culture == "ca":
            ev.crossing(
                w,
                "us",
                rid,
                w.day(),
                "northbound",
                "apprehension",
                port=pick(rng, w.cat.words("sectors_north")),
            )
            return
        if not home:  # a Mexican resident crossing north with a visa
            for _ in range(1 + int(rng.random() < 0.4) + int(rng.random() < 0.2)):
                ev.crossing(w, "us", rid, w.day(), "northbound", "admission")
            if rng.random() < 0.1:
                ev.arrest(w, "us", rid, w.day())
            return
        did = False
        if rng.random() < 0.3:
            self._purchase(person, rid)
            did = True
        if rng.random() < 0.3:
            ev.arrest(w, "us", rid, w.day())
            did = True
        if rng.random() < 0.25 or not did:
            direction = pick(rng, ("northbound", "southbound"))
            ev.crossing(w, "us", rid, w.day(), direction, "admission")
        self._contacts(person, "us", 0.25, 0.1)

    def _purchase(self, buyer: Person, buyer_rid: str) -> None:
        """A lawful purchase; a few of these guns are later diverted and seized in Mexico
        (theft, private resale): trafficked, but by no planted network."""
        w, rng = self.w, self.w.rng
        dealer = pick(rng, w.dealers)
        day = w.day()
        guns = [w.new_gun() for _ in range(1 + int(rng.random() < 0.25) + int(rng.random() < 0.1))]
        rids = [w.firearm_record("us", g, g.serial) for g in guns]
        acq = ev.acquisition(w, buyer_rid, dealer, day, rids)
        for gun in guns:
            if rng.random() < 0.02:
                later = day + int(rng.lognormvariate(math.log(900), 0.6))
                if later < w.end:
                    bought = Purchase(gun, acq, day, dealer.rid, buyer.pid, "")
                    possessor = w.new_person("mx", origin="possessor")
                    place = pick(rng, w.cat.mx_places)
                    seize(w, [bought], later, w.record_of(possessor, "mx"), possessor.pid, place)

    def _seized_gun(self, possessor_rid: str) -> None:
        """A seizure of a gun with no purchase in the US records (older, or from
        elsewhere): it should come back as *no hit* when traced."""
        w = self.w
        gun = w.new_gun(("pistol", "ar", "ak", "other"))
        text, _ = serial_observed(gun.serial, w.rng, w.p.serial_errors)
        gid = w.firearm_record("mx", gun, text, w.describe(gun))
        ev.recovery(w, possessor_rid, w.day(), pick(w.rng, w.cat.mx_places), [gid])
