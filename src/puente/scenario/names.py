"""Names as each side's records write them.

A person has one true name (``PersonName``); a record renders it. Mexican records keep the
compound given name ("María Guadalupe"), both surnames and the accents, often in capitals;
US records of the same person drop or hyphenate the second surname, lose the accents,
split the compound name into first and middle, and mangle particles ("de la Cruz" →
"Delacruz", "De La Cruz" or "Cruz"). Aliases follow the article+word habit ("El Güero").

Invariant: pools are built once from Faker's locale data (es_MX, en_US) with a fixed seed
and never change during a run; all per-record choices use the ``random.Random`` passed in.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from functools import cache

from puente.scenario.catalogue import load_catalogue
from puente.scenario.draw import pick
from puente.scenario.noise import strip_accents, typo

_PARTICLE_STARTS = ("de la ", "de los ", "de las ", "del ", "de ")


@dataclass(frozen=True)
class PersonName:
    given: str  # "María Guadalupe" / "John Michael" (first + middle for US names)
    paternal: str  # "de la Cruz"; the only surname of a US name
    maternal: str  # "" for US names
    gender: str  # "male" | "female"


@dataclass(frozen=True)
class Pools:
    mx_given: dict[str, tuple[str, ...]]
    mx_compound: dict[str, tuple[str, ...]]
    mx_surnames: tuple[str, ...]
    us_given: dict[str, tuple[str, ...]]
    us_given_cum: dict[str, tuple[float, ...]]
    us_surnames: tuple[str, ...]
    us_surnames_cum: tuple[float, ...]
    mx_streets: tuple[str, ...]
    us_streets: tuple[str, ...]
    nicknames: dict[str, tuple[str, ...]]
    alias_words: dict[str, tuple[str, ...]]


def _cumulative(weights: list[float]) -> tuple[float, ...]:
    return tuple(itertools.accumulate(weights))


@cache
def pools() -> Pools:
    """Build the pools once (Faker is slow per call, so it is only used here)."""
    from faker import Faker
    from faker.providers.person.en_US import Provider as UsPerson
    from faker.providers.person.es_MX import Provider as MxPerson

    cat = load_catalogue().raw
    mx_fake = Faker("es_MX")
    mx_fake.seed_instance(20250901)
    mx_streets = tuple(dict.fromkeys(mx_fake.street_name() for _ in range(600)))
    us_suffixes = ("St", "Ave", "Dr", "Rd", "Blvd", "Ln", "Way", "Ct")
    us_last = list(UsPerson.last_names.items())
    us_streets = tuple(f"{name} {suffix}" for name, _ in us_last[:150] for suffix in us_suffixes)
    us_given = {
        "male": tuple(UsPerson.first_names_male.keys()),
        "female": tuple(UsPerson.first_names_female.keys()),
    }
    return Pools(
        mx_given={
            "male": tuple(" ".join(n.split()) for n in MxPerson.first_names_male),
            "female": tuple(" ".join(n.split()) for n in MxPerson.first_names_female),
        },
        mx_compound={k: tuple(v) for k, v in cat["compound_given"].items()},
        mx_surnames=tuple(MxPerson.last_names),
        us_given=us_given,
        us_given_cum={
            "male": _cumulative(list(UsPerson.first_names_male.values())),
            "female": _cumulative(list(UsPerson.first_names_female.values())),
        },
        us_surnames=tuple(name for name, _ in us_last),
        us_surnames_cum=_cumulative([w for _, w in us_last]),
        mx_streets=mx_streets,
        us_streets=us_streets,
        nicknames={k: tuple(v) for k, v in cat["nicknames"].items()},
        alias_words={k: tuple(str(w) for w in v) for k, v in cat["alias_words"].items()},
    )


def mexican_name(rng: random.Random, gender: str, compound_share: float) -> PersonName:
    p = pools()
    if rng.random() < compound_share:
        given = pick(rng, p.mx_compound[gender])
    else:
        given = pick(rng, p.mx_given[gender])
    paternal = pick(rng, p.mx_surnames)
    maternal = pick(rng, p.mx_surnames)
    return PersonName(given, paternal, maternal, gender)


def us_name(rng: random.Random, gender: str) -> PersonName:
    p = pools()
    first = rng.choices(p.us_given[gender], cum_weights=p.us_given_cum[gender])[0]
    if rng.random() < 0.6:
        middle = rng.choices(p.us_given[gender], cum_weights=p.us_given_cum[gender])[0]
        first = f"{first} {middle}"
    last = rng.choices(p.us_surnames, cum_weights=p.us_surnames_cum)[0]
    return PersonName(first, last, "", gender)


def alias(rng: random.Random, gender: str) -> str:
    word = pick(rng, pools().alias_words[gender])
    article = "El" if gender == "male" else "La"
    return f"{article} {word}"


def nickname(name: PersonName, rng: random.Random) -> str:
    options = pools().nicknames.get(name.given.split()[0]) or pools().nicknames.get(
        name.given.split()[-1]
    )
    return pick(rng, options) if options else ""


def _us_particle(surname: str, rng: random.Random) -> str:
    lower = surname.lower()
    for start in _PARTICLE_STARTS:
        if lower.startswith(start):
            r = rng.random()
            if r < 0.25:
                return surname.replace(" ", "").capitalize()  # "Delacruz"
            if r < 0.6:
                return surname.title()  # "De La Cruz"
            if r < 0.75:
                return surname[len(start) :]  # "Cruz"
            return surname
    return surname


@dataclass(frozen=True)
class NameHabits:
    """Shares that govern how records write names (the document lists the defaults)."""

    typo: float = 0.06
    mx_upper: float = 0.4
    mx_missing_maternal: float = 0.04
    us_strip_accents: float = 0.7
    us_drop_maternal: float = 0.4
    us_hyphenate: float = 0.15
    us_split_compound: float = 0.5
    us_upper: float = 0.45


def render_mx(name: PersonName, rng: random.Random, h: NameHabits) -> dict[str, str]:
    """A Mexican record: given name whole, both surnames, accents kept."""
    given, paternal, maternal = name.given, name.paternal, name.maternal
    if maternal and rng.random() < h.mx_missing_maternal:
        maternal = ""
    if rng.random() < h.typo:
        paternal = typo(paternal, rng)
    if rng.random() < h.typo / 2:
        given = typo(given, rng)
    last = f"{paternal} {maternal}".strip()
    if rng.random() < h.mx_upper:
        given, last = given.upper(), last.upper()
    return {"name": f"{given} {last}", "firstName": given, "lastName": last}


def render_us(name: PersonName, rng: random.Random, h: NameHabits) -> dict[str, str]:
    """A US record: the second surname dropped or hyphenated, accents lost, the compound
    given name split into first and middle, particles mangled."""
    given, paternal, maternal = name.given, name.paternal, name.maternal
    first, _, middle = given.partition(" ")
    if maternal and rng.random() >= h.us_split_compound:
        first, middle = given, ""
    if maternal:
        paternal = _us_particle(paternal, rng)
        r = rng.random()
        if r < h.us_drop_maternal:
            last = paternal
        elif r < h.us_drop_maternal + h.us_hyphenate:
            last = f"{paternal}-{maternal}"
        else:
            last = f"{paternal} {maternal}"
        if rng.random() < h.us_strip_accents:
            first, middle, last = strip_accents(first), strip_accents(middle), strip_accents(last)
    else:
        last = paternal
        if middle and rng.random() < 0.4:
            middle = middle[0]
    if rng.random() < h.typo:
        last = typo(last, rng)
    if rng.random() < h.us_upper:
        first, middle, last = first.upper(), middle.upper(), last.upper()
    out = {"name": " ".join(p for p in (first, middle, last) if p), "firstName": first}
    if middle:
        out["middleName"] = middle
    out["lastName"] = last
    return out
