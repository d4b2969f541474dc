"""Two real nodes that know each other, with a hit/no-hit pair set up between them."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from puente.hitnohit import service
from puente.hitnohit.ask import Answer, Ask, person_ask
from puente.node import Node
from puente.store.users import SYSTEM, User
from tests.exchange.helpers import client, connect, marks, put

__all__ = ["ask", "client", "marks", "pair", "person_ask", "put"]


def pair(mx: Node, us: Node, *, quota: int = 1000, mode: str = "x25519") -> None:
    """Partners both ways, keys agreed (X25519 fetched over the signed channel, or an
    out-of-band secret), ``quota`` items a day each way."""
    connect(mx, us)
    secret = "ab" * 32
    for a, b in ((mx, us), (us, mx)):
        with client(b) as http:
            if mode == "x25519":
                service.pair_setup(
                    a,
                    SYSTEM,
                    b.country,
                    fetch=True,
                    client=http,
                    quota=quota,
                    contact=f"RFI desk {a.country}",
                )
            else:
                service.pair_setup(
                    a,
                    SYSTEM,
                    b.country,
                    secret=secret,
                    quota=quota,
                    contact=f"RFI desk {a.country}",
                )


def ask(node: Node, owner: Node, asks: list[Ask], user: User = SYSTEM) -> Answer:
    with client(owner) as http:
        return service.ask(node, user, owner.country, asks, client=http)


def http(node: Node) -> TestClient:
    return client(node)


def gun(rid: str, serial: str, make: str = "Smith & Wesson") -> tuple[str, str, dict[str, Any]]:
    return rid, "Firearm", {"serialNumber": [serial], "make": [make]}


def person(
    rid: str, first: str, last: str, dob: str, **more: list[str]
) -> tuple[str, str, dict[str, Any]]:
    return (
        rid,
        "Person",
        {
            "firstName": [first],
            "lastName": [last],
            "name": [f"{first} {last}"],
            "birthDate": [dob],
            **more,
        },
    )
