"""A seizure as trace items: every gun of a Recovery record, described as the seizing
agency recorded it, with the recovery's date and place.

Invariant: the possessor travels only when the possessor's record is marked releasable
to the partner asked, and then with its classification and handling code; a record above
the user's clearance is never turned into a request.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from puente.access import require_role
from puente.errors import InvalidInput, NotFound
from puente.exchange.client import get_partner
from puente.node import Node
from puente.store import records as record_store
from puente.store.users import User


def _first(props: dict[str, list[str]], name: str) -> str:
    return (props.get(name) or [""])[0]


def from_recovery(node: Node, user: User, recovery_id: str, partner: str) -> list[dict[str, Any]]:
    """Item dicts for every gun of a Recovery record (a seizure)."""
    require_role(user, "analyst")
    code = get_partner(node, partner).code
    with node.read() as conn:
        rec = record_store.get(conn, recovery_id)
        if rec.schema != "Recovery" or rec.markings.level > user.clearance:
            raise InvalidInput("trace.not_a_recovery", id=recovery_id)
        guns = record_store.get_many(conn, rec.properties.get("items", []))
        possessor = _possessor(conn, _first(rec.properties, "possessor"), code)
    p = rec.properties
    recovery = {
        "date": _first(p, "date"),
        "state": _first(p, "state"),
        "municipality": _first(p, "municipality"),
        "agency": _first(p, "agency"),
        "possessor": possessor,
    }
    out = []
    for gid in p.get("items", []):
        gun = guns.get(gid)
        if gun is None or gun.schema != "Firearm":
            continue
        g = gun.properties
        firearm = {
            "ref": gid,
            "make": _first(g, "make"),
            "model": _first(g, "model"),
            "type": _first(g, "firearmType"),
            "caliber": _first(g, "caliber"),
            "serial": _first(g, "serialNumber"),
            "country": _first(g, "manufactureCountry"),
            "importer": _first(g, "importer"),
        }
        out.append({"firearm": firearm, "recovery": recovery})
    if not out:
        raise InvalidInput("trace.no_firearms", id=recovery_id)
    return out


def _possessor(conn: Connection, rid: str, partner: str) -> dict[str, Any]:
    if not rid:
        return {}
    try:
        rec = record_store.get(conn, rid)
    except NotFound:
        return {}
    if not rec.markings.releasable_to(partner):
        return {}
    m = rec.markings
    return {
        "record": rid,
        "name": _first(rec.properties, "name"),
        "birth_date": _first(rec.properties, "birthDate"),
        "classification": m.classification,
        "handling": m.handling,
    }
