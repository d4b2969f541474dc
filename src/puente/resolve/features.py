"""Per-record features: what the comparisons look at, computed once per record version.

Invariant: ``extract(group, schema, properties)`` is a pure function of the record's
properties; it returns one flat row whose keys are exactly ``COLUMNS[group]`` (missing
values are ``None``, arrays are sorted, de-duplicated and ``None`` when empty), so the
same row feeds Splink (DuckDB or Spark) and the Python scorer of incremental resolution.

Identifiers are folded for OCR look-alikes (O/Q→0, I/L→1, Z→2, S→5, G→6, B→8) after
keeping letters and digits only, so a serial read as "A8O-l23" and one typed as
"ABO123" share a key. Phones keep the last ten digits (``model.normalize.phone_key``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from jellyfish import metaphone
from rigour.names import remove_org_types

from puente.model.normalize import identifier_key, phone_key
from puente.resolve.names import NameParts, alias_key, from_parts, parse_person_name, tokens

Row = dict[str, Any]
POSTCODE = re.compile(r"\b\d{4,5}\b")
OCR_FOLD = str.maketrans(
    {"O": "0", "Q": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "G": "6", "B": "8"}
)
PERSON_IDS = (
    "idNumber",
    "passportNumber",
    "taxNumber",
    "socialSecurityNumber",
    "registrationNumber",
    "licenseNumber",
)
ORG_IDS = ("registrationNumber", "taxNumber", "idNumber", "leiCode", "vatCode", "licenseNumber")

GROUPS: dict[str, tuple[str, ...]] = {
    "Person": ("Person",),
    "Organization": ("Organization", "Company", "LegalEntity", "PublicBody"),
    "Firearm": ("Firearm",),
    "Vehicle": ("Vehicle",),
    "Vessel": ("Vessel",),
}
COLUMNS: dict[str, tuple[str, ...]] = {
    "Person": (
        "given1",
        "given_init",
        "givens",
        "sur1",
        "sur_key",
        "surnames",
        "name_key",
        "aliases",
        "dob",
        "dob_swap",
        "dob_ym",
        "dob_y",
        "dob_md",
        "ids",
        "id_del",
        "phones",
        "country",
        "addr",
        "postcode",
    ),
    "Organization": (
        "name_key",
        "name_tokens",
        "aliases",
        "ids",
        "id_del",
        "phones",
        "country",
        "addr",
    ),
    "Firearm": ("serial", "serial_del", "make", "model", "caliber", "kind"),
    "Vehicle": ("plate", "plate_del", "make_model", "kind", "country", "name_key"),
    "Vessel": ("imo", "mmsi", "call_sign", "name_key", "flag"),
}


def group_of(schema: str) -> str | None:
    for group, schemata in GROUPS.items():
        if schema in schemata:
            return group
    return None


def fold_id(value: str) -> str:
    return identifier_key(value).translate(OCR_FOLD)


def _arr(values: Iterable[str]) -> list[str] | None:
    out = sorted({v for v in values if v})
    return out or None


def _first(props: Mapping[str, list[str]], *names: str) -> str | None:
    for name in names:
        for value in props.get(name, ()):
            if value:
                return value
    return None


def _all(props: Mapping[str, list[str]], *names: str) -> list[str]:
    return [v for name in names for v in props.get(name, ())]


def _text(value: str | None) -> str | None:
    if not value:
        return None
    return " ".join(tokens(value)) or None


def deletions(values: Iterable[str]) -> list[str] | None:
    """Each value and every string made by deleting one of its characters. Two values
    share one of these exactly when they are within one deletion, insertion, misread
    character or adjacent transposition of each other (at most two edits) — the
    symmetric-deletion trick, an equality test instead of an edit distance per pair."""
    out: set[str] = set()
    for v in values:
        if len(v) >= 4:
            out.add(v)
            out.update(v[:i] + v[i + 1 :] for i in range(len(v)))
    return sorted(out) or None


def _dob(value: str | None) -> Row:
    out: Row = {"dob": None, "dob_swap": None, "dob_ym": None, "dob_y": None, "dob_md": None}
    if not value or len(value) < 4 or not value[:4].isdigit():
        return out
    out["dob_y"] = value[:4]
    if len(value) >= 7:
        out["dob_ym"] = value[:7]
    if len(value) >= 10:
        out["dob"] = value[:10]
        out["dob_md"] = value[5:10]
        month, day = value[5:7], value[8:10]
        if day <= "12" and day != month:
            out["dob_swap"] = f"{value[:4]}-{day}-{month}"
    return out


def _address(value: str | None) -> tuple[str | None, str | None]:
    """Normalised address text and its postcode (the last 4–5 digit number: a US ZIP or
    a Mexican código postal), compared separately."""
    text = _text(value)
    if not text:
        return None, None
    codes = POSTCODE.findall(text)
    if not codes:
        return text, None
    head, _, tail = text.rpartition(codes[-1])
    return (head + tail).strip() or None, codes[-1]


def person_parts(props: Mapping[str, list[str]]) -> list[NameParts]:
    """The record's names: explicit parts first (when given), then each full name."""
    parts: list[NameParts] = []
    first, middle = _all(props, "firstName"), _all(props, "middleName", "secondName")
    father, mother, last = (_all(props, n) for n in ("fatherName", "motherName", "lastName"))
    if (first or middle) and (father or mother or last):
        parts.append(from_parts(first, middle, father, mother, last))
    for value in _all(props, "name"):
        parsed = parse_person_name(value)
        if parsed.given or parsed.surnames or parsed.aliases:
            parts.append(parsed)
    return parts


def person(props: Mapping[str, list[str]]) -> Row:
    parts = person_parts(props)
    main = next((p for p in parts if p.surnames or p.given), NameParts())
    aliases = {a for p in parts for a in p.aliases}
    aliases.update(alias_key(v) for v in _all(props, "alias", "weakAlias"))
    ids = [fold_id(v) for v in _all(props, *PERSON_IDS)]
    phones = [phone_key(v) for v in _all(props, "phone")]
    addr, postcode = _address(_first(props, "address"))
    row: Row = {
        "given1": main.given[0] if main.given else None,
        "given_init": main.given[0][0] if main.given else None,
        "givens": _arr(g for p in parts for g in p.given if len(g) > 1),
        "sur1": main.surnames[0] if main.surnames else None,
        "sur_key": " ".join(sorted(main.surnames)) or None,
        "surnames": _arr(s for p in parts for s in p.surnames),
        "name_key": main.key or None,
        "aliases": _arr(aliases),
        **_dob(_first(props, "birthDate")),
        "ids": _arr(ids),
        "id_del": deletions(ids),
        "phones": _arr(phones),
        "country": _first(props, "nationality", "citizenship", "country"),
        "addr": addr,
        "postcode": postcode,
    }
    return row


def organization(props: Mapping[str, list[str]]) -> Row:
    names = [remove_org_types(v) for v in _all(props, "name")]
    keys = [" ".join(tokens(n)) for n in names]
    ids = [fold_id(v) for v in _all(props, *ORG_IDS)]
    return {
        "name_key": next((k for k in keys if k), None),
        "name_tokens": _arr(t for k in keys for t in k.split() if len(t) > 1),
        "aliases": _arr(" ".join(tokens(remove_org_types(v))) for v in _all(props, "alias")),
        "ids": _arr(ids),
        "id_del": deletions(ids),
        "phones": _arr(phone_key(v) for v in _all(props, "phone")),
        "country": _first(props, "country", "jurisdiction", "mainCountry"),
        "addr": _text(_first(props, "address")),
    }


def firearm(props: Mapping[str, list[str]]) -> Row:
    serial = fold_id(_first(props, "serialNumber") or "") or None
    return {
        "serial": serial,
        "serial_del": deletions([serial] if serial else []),
        "make": _text(_first(props, "make")),
        "model": _text(_first(props, "model")),
        "caliber": _text(_first(props, "caliber")),
        "kind": _text(_first(props, "firearmType")),
    }


def vehicle(props: Mapping[str, list[str]]) -> Row:
    plate = fold_id(_first(props, "registrationNumber") or "") or None
    return {
        "plate": plate,
        "plate_del": deletions([plate] if plate else []),
        "make_model": _text(_first(props, "model")),
        "kind": _text(_first(props, "type")),
        "country": _first(props, "country"),
        "name_key": _text(_first(props, "name")),
    }


def vessel(props: Mapping[str, list[str]]) -> Row:
    imo = _first(props, "imoNumber")
    mmsi = _first(props, "mmsi")
    call = _first(props, "callSign")
    return {
        "imo": identifier_key(imo).removeprefix("IMO") or None if imo else None,
        "mmsi": identifier_key(mmsi) or None if mmsi else None,
        "call_sign": identifier_key(call) or None if call else None,
        "name_key": _text(_first(props, "name")),
        "flag": _first(props, "flag", "country"),
    }


EXTRACTORS = {
    "Person": person,
    "Organization": organization,
    "Firearm": firearm,
    "Vehicle": vehicle,
    "Vessel": vessel,
}


def extract(group: str, properties: Mapping[str, list[str]]) -> Row:
    row = EXTRACTORS[group](properties)
    assert tuple(row) == COLUMNS[group], (group, tuple(row))
    return row


def sound(word: str | None) -> str:
    """A phonetic key for blocking (metaphone), empty for nothing."""
    return metaphone(word) if word else ""
