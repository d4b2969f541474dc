"""Exact identifiers: which ones, how each is normalised, and its keyed digest.

Types (``ID_TYPES``): firearm (serial + make), passport, idnumber, curp, rfc, phone,
plate, vin, mmsi, imo. Each value is normalised (``normalise``) and encoded as
``HMAC-SHA256(pair key of the type, value)`` (hex): the partner never sees the value,
and a digest made for one partner pair or one type is useless for any other.

A firearm is encoded as the digests of ``make + 0x1f + v`` for every ``v`` in
``serials.serial_variants`` of its serial key, padded with random digests to a fixed
count so that a query does not reveal the serial's length; two guns hit when they share
a digest (same make, serials within one edit after look-alike folding).

Invariant: the owner (indexing a record) and the requester (asking about a value) call
the same functions, so equal normalised values give equal digests.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterator, Mapping

from puente.errors import InvalidInput
from puente.hitnohit.keys import PairKeys
from puente.hitnohit.serials import MAX_SERIAL, normalise_make, serial_key, serial_variants
from puente.model.normalize import identifier_key, phone_key

ID_TYPES = (
    "firearm",
    "passport",
    "idnumber",
    "curp",
    "rfc",
    "phone",
    "plate",
    "vin",
    "mmsi",
    "imo",
)
FIREARM_DIGESTS = MAX_SERIAL + 1
_CURP = re.compile(r"^[A-Z]{4}\d{6}[HMX][A-Z]{5}[0-9A-Z]\d$")
_RFC = re.compile(r"^[A-Z&Ñ]{3,4}\d{6}[0-9A-Z]{3}$")
_VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_DIGITS = re.compile(r"\D")

# Where each type is found in own records: schema → property → type ("id" = classified
# by shape: a CURP, an RFC or a plain identity number).
SOURCES: dict[str, dict[str, str]] = {
    "Person": {
        "passportNumber": "passport",
        "idNumber": "id",
        "socialSecurityNumber": "idnumber",
        "licenseNumber": "idnumber",
        "taxNumber": "id",
        "phone": "phone",
    },
    "Organization": {"phone": "phone", "taxNumber": "id"},
    "Company": {"phone": "phone", "taxNumber": "id"},
    "LegalEntity": {"phone": "phone", "taxNumber": "id"},
    "Vehicle": {"registrationNumber": "vehicle"},
    "Vessel": {"mmsi": "mmsi", "imoNumber": "imo"},
}


def normalise(id_type: str, value: str) -> str:
    """The comparable form of ``value`` as an identifier of ``id_type`` ('' if none)."""
    if id_type == "phone":
        return phone_key(value)
    if id_type in ("mmsi", "imo"):
        digits = _DIGITS.sub("", value)
        return digits if len(digits) in (7, 9) else ""
    key = identifier_key(value)
    return key if len(key) >= 3 else ""


def classify(kind: str, value: str) -> str:
    """The type of a record value found under a ``SOURCES`` entry."""
    if kind == "id":
        key = identifier_key(value)
        if _CURP.match(key):
            return "curp"
        if _RFC.match(key):
            return "rfc"
        return "idnumber"
    if kind == "vehicle":
        return "vin" if _VIN.match(identifier_key(value)) else "plate"
    return kind


def digest(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def firearm_digests(keys: PairKeys, serial: str, make: str, *, pad: bool) -> list[str]:
    skey, mkey = serial_key(serial), normalise_make(make)
    if len(skey) < 2 or not mkey:
        raise InvalidInput("hitnohit.bad_serial", serial=serial[:40], make=make[:40])
    key = keys.identifier_key("firearm")
    out = [digest(key, f"{mkey}\x1f{v}") for v in serial_variants(skey)]
    if pad:  # random filler, indistinguishable from HMAC output
        out += [secrets.token_hex(32) for _ in range(FIREARM_DIGESTS - len(out))]
        out.sort()
    return out


def value_digest(keys: PairKeys, id_type: str, value: str) -> str:
    if id_type not in ID_TYPES or id_type == "firearm":
        raise InvalidInput("hitnohit.bad_type", type=id_type[:20], allowed=", ".join(ID_TYPES))
    norm = normalise(id_type, value)
    if not norm:
        raise InvalidInput("hitnohit.bad_value", type=id_type, value=value[:40])
    return digest(keys.identifier_key(id_type), norm)


def record_digests(
    keys: PairKeys, schema: str, properties: Mapping[str, list[str]]
) -> Iterator[tuple[str, str]]:
    """``(type, digest)`` for every exact identifier an own record holds."""
    if schema == "Firearm":
        makes = properties.get("make") or []
        for serial in properties.get("serialNumber") or []:
            for make in makes:
                if len(serial_key(serial)) >= 2 and normalise_make(make):
                    for d in firearm_digests(keys, serial, make, pad=False):
                        yield "firearm", d
        return
    for prop, kind in SOURCES.get(schema, {}).items():
        for value in properties.get(prop) or []:
            id_type = classify(kind, value)
            norm = normalise(id_type, value)
            if norm:
                yield id_type, digest(keys.identifier_key(id_type), norm)
