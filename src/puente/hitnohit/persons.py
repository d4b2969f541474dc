"""What a person query carries, and what the owner indexes for each of its persons.

A person is encoded under the pair's keys as (``PersonCode``):

- the hardened CLK of the ``person`` profile (``clk``): names, first surname, sex,
  nationality — never the birth date;
- keyed birth-date tokens, ``HMAC(K_dob, value)`` like any exact identifier: ``year``
  (``YYYY``), ``date`` (``YYYY-MM-DD``) and ``swap``, the date with day and month
  swapped (only when that is another valid date: a clerk's most common date error).

- keyed identifier tokens (``ID_TOKENS``), ``HMAC(K, normalised value)`` under keys of
  their own (``person:passport``, ``person:phone``: not the keys of exact-identifier
  queries, so the two kinds of query cannot be joined): the person's passport number and
  phone, the first the record holds of each.

The owner compares tokens for *equality only*, which is all the comparison rule needs
(``clk.Rule``): same date or swapped → ``date``; only a year on one side and the years
agree → ``year``; a side without a year → ``unknown``; anything else → the dates
disagree, and that is never a hit. A shared identifier token lowers the name similarity
needed; both sides holding a passport (or a phone) and none shared raises it. Undated
namesakes — the false hits of names alone — mostly differ there. Tokens tell a keyless
observer which queries share a birth date, year or identifier, nothing more; the pair
partner, holding the key, could test the few thousand possible dates (or a list of
phone numbers) against them — as it could with any encoding of such values.

Invariant: ``encode`` is a pure function of (keys, person); the owner indexing a record
and the requester asking about the same person produce identical codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from puente.hitnohit.clk import Encoder, Person, dob_parts, get_profile
from puente.hitnohit.identifiers import digest, normalise
from puente.hitnohit.keys import PairKeys
from puente.hitnohit.matcher import token_int

PROFILE = "person"
DOB_TOKENS = ("year", "date", "swap")
ID_TOKENS = ("passport", "phone")
NAME_PROPS = (
    "name",
    "firstName",
    "secondName",
    "middleName",
    "fatherName",
    "motherName",
    "lastName",
)
_SURNAME_PROPS = ("fatherName", "lastName")


@dataclass(frozen=True)
class PersonCode:
    clk: bytes
    year: str = ""
    date: str = ""
    swap: str = ""
    passport: str = ""
    phone: str = ""

    def tokens(self) -> dict[str, str]:
        """The birth-date tokens this code holds, by kind."""
        found = {"year": self.year, "date": self.date, "swap": self.swap}
        return {k: v for k, v in found.items() if v}

    def ids(self) -> dict[str, str]:
        """The identifier tokens this code holds, by kind."""
        return {k: getattr(self, k) for k in ID_TOKENS if getattr(self, k)}

    def query_ints(self) -> tuple[int, int, int, int, int]:
        """(year, date, swap, passport, phone) as a query's tokens (0 = none)."""
        y, d, s, p, ph = (self.year, self.date, self.swap, self.passport, self.phone)
        return (_int(y), _int(d), _int(s), _int(p), _int(ph))

    def row_ints(self) -> tuple[int, int, int, int]:
        """(year, date, passport, phone) as an indexed row's tokens (0 = none)."""
        return (_int(self.year), _int(self.date), _int(self.passport), _int(self.phone))


def _int(token: str) -> int:
    return token_int(token) if token else 0


def dob_values(dob: str) -> dict[str, str]:
    """The birth-date values that are tokenised, by kind (see the module docstring)."""
    year, month, day = dob_parts(dob)
    if not year:
        return {}
    out = {"year": year}
    if month and day and 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
        out["date"] = f"{year}-{month}-{day}"
        if int(day) <= 12 and day != month:
            out["swap"] = f"{year}-{day}-{month}"
    return out


def dob_tokens(keys: PairKeys, dob: str) -> dict[str, str]:
    key = keys.identifier_key("dob")
    return {kind: digest(key, value) for kind, value in dob_values(dob).items()}


def id_tokens(keys: PairKeys, person: Person) -> dict[str, str]:
    """The person's identifier tokens, by kind (a value that does not normalise: none)."""
    out: dict[str, str] = {}
    for kind in ID_TOKENS:
        value = getattr(person, kind)
        norm = normalise(kind, value) if value else ""
        if norm:
            out[kind] = digest(keys.identifier_key("person:" + kind), norm)
    return out


class PersonEncoder:
    """Encodes persons under one pair's keys (the CLK encoder caches feature positions)."""

    def __init__(self, keys: PairKeys) -> None:
        self.keys = keys
        self.clk = Encoder(keys.clk_key(PROFILE), get_profile(PROFILE))

    def encode(self, person: Person) -> PersonCode:
        return PersonCode(
            self.clk.encode(person),
            **dob_tokens(self.keys, person.dob),
            **id_tokens(self.keys, person),
        )


@lru_cache(maxsize=16)
def person_encoder(keys: PairKeys) -> PersonEncoder:
    """One encoder per pair key and epoch, so its cache of feature positions lives on."""
    return PersonEncoder(keys)


def person_of(props: dict[str, list[str]]) -> Person | None:
    """The ``Person`` an FtM Person record's properties describe (None without a name)."""
    parts = [v for p in NAME_PROPS[1:] for v in props.get(p) or []]
    names = tuple(parts or (props.get("name") or [])[:1])
    if not names:
        return None

    def first(prop: str) -> str:
        return (props.get(prop) or [""])[0]

    def usable(prop: str, kind: str) -> str:
        return next((v for v in props.get(prop) or [] if normalise(kind, v)), "")

    surname = next((first(p) for p in _SURNAME_PROPS if first(p)), "")
    return Person(
        names,
        first("birthDate"),
        first("gender"),
        first("nationality"),
        surname=surname,
        passport=usable("passportNumber", "passport"),
        phone=usable("phone", "phone"),
    )


def split_name(text: str) -> tuple[tuple[str, ...], str]:
    """Names and surname of a name typed by an analyst: ``"Surnames, Given names"`` gives
    the surnames; a name without a comma has no known surname."""
    surnames, comma, given = text.partition(",")
    if comma and surnames.strip() and given.strip():
        return (given.strip(), surnames.strip()), surnames.strip()
    return (text,), ""
