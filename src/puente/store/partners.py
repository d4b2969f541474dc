"""Partner nodes known to this node: their country code, URL and Ed25519 public key.

A releasability marking may only name a known partner; the exchange (later) pulls from
and answers to these and no one else.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from sqlalchemy import Connection, delete, select

from puente.crypto import fingerprint
from puente.errors import Conflict, InvalidInput, NotFound
from puente.model.countries import country_code
from puente.store.audit import now
from puente.store.tables import partners


@dataclass(frozen=True)
class Partner:
    code: str
    name: str
    url: str
    public_key: str
    fingerprint: str


def add_partner(conn: Connection, code: str, url: str, public_key: str, name: str = "") -> Partner:
    code = country_code(code)
    if not url.startswith(("http://", "https://")):
        raise InvalidInput("error.bad_url", value=url)
    try:
        raw = base64.b64decode(public_key, validate=True)
    except ValueError as exc:
        raise InvalidInput("error.bad_key") from exc
    if len(raw) != 32:
        raise InvalidInput("error.bad_key")
    if conn.execute(select(partners.c.code).where(partners.c.code == code)).first():
        raise Conflict("error.partner_exists", partner=code)
    partner = Partner(code, name or code, url.rstrip("/"), public_key, fingerprint(public_key))
    conn.execute(
        partners.insert(),
        {
            "code": code,
            "name": partner.name,
            "url": partner.url,
            "public_key": public_key,
            "fingerprint": partner.fingerprint,
            "added_at": now(),
        },
    )
    return partner


def list_partners(conn: Connection) -> list[Partner]:
    return [
        Partner(r.code, r.name, r.url, r.public_key, r.fingerprint)
        for r in conn.execute(select(partners).order_by(partners.c.code))
    ]


def partner_codes(conn: Connection) -> set[str]:
    return {r[0] for r in conn.execute(select(partners.c.code))}


def remove_partner(conn: Connection, code: str) -> None:
    code = country_code(code)
    if conn.execute(delete(partners).where(partners.c.code == code)).rowcount == 0:
        raise NotFound("error.no_partner", partner=code)
