"""A small US acquisition world and an MX node that knows the US node as a partner."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from puente.node import Node
from puente.store.users import SYSTEM
from puente.trace import requests
from tests.exchange.helpers import client, connect, marks, put

GUNS = {  # firearm record -> (make, model, type, calibre, serial, country)
    "g1": ("Colt", "AR-15 M4 Carbine", "rifle", "5.56x45mm", "LE10345", "us"),
    "g2": ("Colt", "AR-15 M4 Carbine", "rifle", "5.56x45mm", "LE20999", "us"),
    "g3": ("Century Arms", "WASR-10", "rifle", "7.62x39mm", "1-AB1234-21 RO", "ro"),
    "g4": ("Glock", "19", "pistol", "9x19mm", "BXK512", "at"),
    "g5": ("Colt", "AR-15 M4 Carbine", "rifle", "5.56x45mm", "LE10346", "us"),
}


def us_world(us: Node) -> None:
    """Ana buys g1+g2 on a Monday and g3 on Thursday (a multiple sale of rifles); Bob
    buys g4 (released to MEX) and g5 (a serial one digit from g1)."""
    own, rel = marks(us), marks(us, rel_to=["MEX"])
    put(
        us,
        [
            (
                "dealer",
                "Company",
                {"name": ["Border Tactical LLC"], "licenseNumber": ["5-74-123-01-2A-12345"]},
            )
        ],
        own,
    )
    put(us, [("ana", "Person", {"name": ["Ana Straw"], "birthDate": ["1990-02-03"]})], own)
    put(us, [("bob", "Person", {"name": ["Bob Buyer"]})], rel)
    put(
        us,
        [
            (
                gid,
                "Firearm",
                {
                    "make": [m],
                    "model": [mo],
                    "firearmType": [t],
                    "caliber": [c],
                    "serialNumber": [s],
                    "manufactureCountry": [co],
                },
            )
            for gid, (m, mo, t, c, s, co) in GUNS.items()
        ],
        own,
    )

    def acq(
        rid: str, buyer: str, day: str, guns: list[str]
    ) -> tuple[str, str, dict[str, list[str]]]:
        return (
            rid,
            "Acquisition",
            {
                "purchaser": [buyer],
                "dealer": ["dealer"],
                "date": [day],
                "firearm": guns,
                "state": ["TX"],
                "dealerLicense": ["5-74-123-01-2A-12345"],
            },
        )

    put(
        us,
        [acq("a1", "ana", "2022-03-07", ["g1", "g2"]), acq("a2", "ana", "2022-03-10", ["g3"])],
        own,
    )
    put(us, [acq("a3", "bob", "2021-05-03", ["g4"])], rel)
    put(us, [acq("a4", "bob", "2023-01-02", ["g5"])], own)


def item(make: str, serial: str, day: str = "2023-06-01", **firearm: str) -> dict[str, object]:
    return {
        "firearm": {"make": make, "serial": serial, **firearm},
        "recovery": {
            "date": day,
            "state": "Sinaloa",
            "municipality": "Culiacán",
            "agency": "SEDENA",
        },
    }


def two_nodes(make_node: Callable[..., Node]) -> tuple[Node, Node, TestClient]:
    mx, us = make_node("MX"), make_node("US")
    connect(mx, us)
    us_world(us)
    return mx, us, client(us)


def send(mx: Node, http: TestClient, items: list[dict[str, object]]) -> str:
    view = requests.create(mx, SYSTEM, "USA", items, "seizure-1", http=http)
    return str(view["request"])
