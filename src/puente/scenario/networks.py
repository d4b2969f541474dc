"""Planted trafficking networks: members with roles, the helpers every kind of network
uses to make them talk, pay and appear in records. ``generate.plant`` builds them all
and makes them overlap through a few shared brokers and financiers.

Invariants:
- each membership writes one ``networks.csv`` row (person, network, kind, role) the moment
  it is made, so a person in two networks has two rows;
- a member only has records in the nodes listed in ``Member.nodes`` (some members exist in
  one country's records only); events involving a member in another node name only their
  phone number, never a record there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from puente.scenario import events as ev
from puente.scenario.catalogue import MxPlace
from puente.scenario.draw import between, pick
from puente.scenario.people import Person
from puente.scenario.world import World


@dataclass
class Member:
    person: Person
    role: str
    nodes: tuple[str, ...]

    def rid(self, w: World, node: str) -> str:
        return w.record_of(self.person, node) if node in self.nodes else ""


@dataclass
class Network:
    nid: str
    kind: str
    start: int
    end: int
    places: list[MxPlace]
    members: list[Member] = field(default_factory=list)
    org: str = ""  # the MX node's Organization record naming the group, if any

    def role(self, name: str) -> list[Member]:
        return [m for m in self.members if m.role == name]


def new_network(w: World, kind: str, number: int, months: tuple[int, int]) -> Network:
    span = between(w.rng, months[0] * 30, months[1] * 30)
    start = w.day(hi=w.end - span)
    places = w.rng.sample(w.cat.mx_places, 2)
    prefix = {"arms": "ARMS", "drugs": "DRUG", "smuggling": "SMUG"}[kind]
    return Network(f"N-{prefix}-{number:03d}", kind, start, min(w.end, start + span), places)


def recruit(
    w: World,
    net: Network,
    role: str,
    culture: str,
    nodes: tuple[str, ...],
    alias_share: float = 0.3,
) -> Member:
    member = Member(w.new_person(culture, alias_share, "network"), role, nodes)
    net.members.append(member)
    w.truth.row("networks", member.person.pid, net.nid, net.kind, role)
    return member


def enlist(w: World, net: Network, member: Member, role: str) -> Member:
    """A member of another network also serving this one (the overlaps analysts hunt)."""
    shared = Member(member.person, role, member.nodes)
    net.members.append(shared)
    w.truth.row("networks", member.person.pid, net.nid, net.kind, role)
    return shared


def during(w: World, net: Network) -> int:
    return w.day(net.start, net.end)


def talk(w: World, a: Member, b: Member, day: int, times: int = 1) -> None:
    """Calls between two members, recorded in a node where at least one of them has
    records (preferring a node where both have): the other side is only a number."""
    both = [n for n in a.nodes if n in b.nodes]
    node = pick(w.rng, both or list(a.nodes + b.nodes))
    for _ in range(times):
        ends = [(m.rid(w, node), w.phone_text(m.person, node)) for m in (a, b)]
        if not ends[0][1] or not ends[1][1]:
            return
        if w.rng.random() < 0.5:
            ends.reverse()
        ev.call(w, node, ends[0], ends[1], w.day(day - 20, day + 20))


def pay(w: World, a: Member, b: Member, day: int, amount: float, purpose: str = "") -> bool:
    """A payment from ``a`` to ``b`` in a node where both have records."""
    both = [n for n in a.nodes if n in b.nodes]
    if not both:
        return False
    node = pick(w.rng, both)
    rate = 1.0 if node == "us" else 18.0  # the same money in MXN
    ev.payment(w, node, a.rid(w, node), b.rid(w, node), day, amount * rate, purpose)
    return True


def organisation(w: World, net: Network, boss: Member) -> str:
    """The MX node's intelligence record naming the group, with some members' ties."""
    label = boss.person.alias.split(" ", 1)[-1] if boss.person.alias else boss.person.name.paternal
    name = pick(w.rng, (f"Célula de {label}", f"Los {label}", f"Grupo {label}"))
    net.org = w.sink.emit(
        "mx", "organizations", "Organization", {"name": name, "country": "mx"}, "link"
    )
    for m in net.members:
        if "mx" in m.nodes and w.rng.random() < 0.5:
            ev.membership(w, "mx", m.rid(w, "mx"), net.org, m.role)
    return net.org
