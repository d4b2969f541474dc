"""Real people of the synthetic world and the records each node writes about them.

A ``Person`` is the truth: one name, one birth date, the identifiers they really hold.
``mx_record`` and ``us_record`` render what a Mexican or US agency writes down: the same
person with each side's naming habits, formatted phones, missing fields, typos and dates
of birth that are sometimes only a year or have day and month swapped.

Invariant: a ``Person`` does not change once its first record is written; renderings
draw every choice from the ``random.Random`` they are given, so a record is a pure
function of the person and the stream position.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from puente.scenario import identifiers as ids
from puente.scenario.catalogue import MxPlace, UsCity, load_catalogue
from puente.scenario.draw import below, between, pick
from puente.scenario.names import (
    NameHabits,
    PersonName,
    alias,
    mexican_name,
    nickname,
    pools,
    render_mx,
    render_us,
    us_name,
)
from puente.scenario.noise import maybe, observed_birth, strip_accents

CULTURES = ("mx", "us", "mxus", "ca")
_CA = {"gt": ("+502", "Guatemala"), "hn": ("+504", "Honduras"), "sv": ("+503", "El Salvador")}


@dataclass(frozen=True)
class RecordHabits:
    """Shares that govern how records fill person fields (the document lists them)."""

    names: NameHabits = field(default_factory=NameHabits)
    dob_year_only: float = 0.05
    dob_swapped: float = 0.04
    missing: float = 0.15
    compound_given: float = 0.25


@dataclass
class Person:
    pid: str
    culture: str
    name: PersonName
    born: date
    nationality: str
    mx_place: MxPlace
    us_city: UsCity
    alias: str = ""
    curp: str = ""
    rfc: str = ""
    ssn: str = ""
    licence: str = ""
    passport: str = ""
    phone_mx: str = ""
    phone_us: str = ""
    phone_ca: str = ""
    address_mx: str = ""
    address_us: str = ""
    records: dict[str, list[str]] = field(default_factory=dict)


def _address_mx(place: MxPlace, rng: random.Random) -> str:
    street = pick(rng, pools().mx_streets)
    colonia = pick(rng, ("Centro", "Obrera", "Las Flores", "Del Valle", "Jardines", "Hidalgo"))
    cp = f"{between(rng, 10000, 99999)}"
    return (
        f"{street} {between(rng, 1, 3000)}, Col. {colonia}, C.P. {cp}, {place.city}, {place.state}"
    )


def _address_us(city: UsCity, rng: random.Random) -> str:
    street = pick(rng, pools().us_streets)
    zip_code = f"{city.zip}{below(rng, 100):02d}"
    return f"{between(rng, 100, 20000)} {street}, {city.city}, {city.state} {zip_code}"


def make_person(
    pid: str, culture: str, rng: random.Random, habits: RecordHabits, *, alias_share: float = 0.03
) -> Person:
    cat = load_catalogue()
    gender = "male" if rng.random() < 0.62 else "female"
    place = pick(rng, cat.mx_places)
    city = pick(rng, cat.us_cities)
    born = date.fromordinal(
        between(rng, date(1958, 1, 1).toordinal(), date(2006, 1, 1).toordinal())
    )
    if culture == "us":
        name = us_name(rng, gender)
        nationality = "us"
    else:
        name = mexican_name(rng, gender, habits.compound_given)
        nationality = pick(rng, tuple(_CA)) if culture == "ca" else "mx"
    p = Person(pid, culture, name, born, nationality, place, city)
    if rng.random() < alias_share:
        p.alias = alias(rng, gender)
    if culture in ("mx", "mxus") and (culture == "mx" or rng.random() < 0.7):
        p.curp = ids.curp(name.given, name.paternal, name.maternal, born, gender, place.curp, rng)
        if rng.random() < 0.6:
            p.rfc = ids.rfc(name.given, name.paternal, name.maternal, born, rng)
    if culture == "mx":
        p.phone_mx = ids.phone_number(place.area, rng) if rng.random() < 0.9 else ""
        p.address_mx = _address_mx(place, rng)
        p.passport = ids.passport_mx(rng) if rng.random() < 0.3 else ""
    elif culture in ("us", "mxus"):
        p.ssn = ids.ssn(rng) if culture == "us" or rng.random() < 0.8 else ""
        p.licence = f"{city.state} {ids.driver_licence(city.state, rng)}"
        p.phone_us = ids.phone_number(pick(rng, city.areas), rng)
        p.address_us = _address_us(city, rng)
        if culture == "mxus":
            p.passport = ids.passport_mx(rng) if rng.random() < 0.4 else ""
            p.phone_mx = ids.phone_number(place.area, rng) if rng.random() < 0.3 else ""
            p.address_mx = _address_mx(place, rng) if rng.random() < 0.3 else ""
        else:
            p.passport = ids.passport_us(rng) if rng.random() < 0.4 else ""
    else:
        p.passport = pick(rng, "ABCE") + f"{below(rng, 10**7):07d}" if rng.random() < 0.4 else ""
        p.phone_ca = f"{_CA[nationality][0]} {between(rng, 3000, 9999)} {below(rng, 10000):04d}"
    return p


def _common(p: Person, rng: random.Random, h: RecordHabits) -> dict[str, str]:
    out = {
        "birthDate": maybe(
            observed_birth(p.born, rng, h.dob_year_only, h.dob_swapped), rng, h.missing / 3
        ),
        "gender": maybe(p.name.gender, rng, h.missing),
        "nationality": maybe(p.nationality, rng, h.missing),
    }
    if p.alias and rng.random() < 0.8:
        out["alias"] = p.alias
    elif rng.random() < 0.05:
        out["weakAlias"] = nickname(p.name, rng)
    return out


def mx_record(p: Person, rng: random.Random, h: RecordHabits) -> dict[str, str]:
    """What a Mexican agency writes about ``p``."""
    if p.name.maternal:
        out = render_mx(p.name, rng, h.names)
    else:
        out = {
            "name": f"{p.name.given} {p.name.paternal}",
            "firstName": p.name.given,
            "lastName": p.name.paternal,
        }
    out.update(_common(p, rng, h))
    out["idNumber"] = maybe(p.curp, rng, h.missing)
    out["taxNumber"] = maybe(p.rfc, rng, h.missing)
    out["passportNumber"] = maybe(p.passport, rng, h.missing)
    phone = p.phone_mx or p.phone_ca
    if p.phone_mx:
        phone = ids.format_mx_phone(p.phone_mx, rng)
    elif p.phone_us and rng.random() < 0.5:
        phone = "+1 " + ids.format_us_phone(p.phone_us, rng)
    out["phone"] = maybe(phone, rng, h.missing)
    out["address"] = maybe(p.address_mx, rng, h.missing)
    out["birthPlace"] = maybe(p.mx_place.city if p.curp else "", rng, h.missing * 2)
    return out


def us_record(p: Person, rng: random.Random, h: RecordHabits) -> dict[str, str]:
    """What a US agency writes about ``p``."""
    out = render_us(p.name, rng, h.names)
    out.update(_common(p, rng, h))
    out["socialSecurityNumber"] = maybe(p.ssn, rng, h.missing)
    out["licenseNumber"] = maybe(p.licence, rng, h.missing)
    out["passportNumber"] = maybe(p.passport, rng, h.missing)
    if p.phone_us:
        phone = ids.format_us_phone(p.phone_us, rng)
    elif p.phone_mx:
        phone = "+52 " + p.phone_mx if rng.random() < 0.6 else "011 52 " + p.phone_mx
    else:
        phone = p.phone_ca
    out["phone"] = maybe(phone, rng, h.missing)
    address = p.address_us or p.address_mx
    if rng.random() < h.names.us_strip_accents:  # US systems often lose the accents
        address = strip_accents(address)
    out["address"] = maybe(address, rng, h.missing)
    return out
