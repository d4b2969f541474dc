"""What a person query carries, and what the owner indexes for each of its persons.

A person is encoded under the pair's keys as (``PersonCode``):

- the hardened CLK of the ``person`` profile (``clk``): names, first surname, sex,
  nationality — never the birth date;
- keyed birth-date tokens, ``HMAC(K_dob, value)`` like any exact identifier: ``year``
  (``YYYY``), ``date`` (``YYYY-MM-DD``) and ``swap``, the date with day and month
  swapped (only when that is another valid date: a clerk's most common date error).

The owner compares tokens for *equality only*, which is all the comparison rule needs
(``clk.Rule``): same date or swapped → ``date``; only a year on one side and the years
agree → ``year``; a side without a year → ``unknown``; anything else → the dates
disagree, and that is never a hit. Tokens tell a keyless observer which queries share
a birth date or year, nothing more; the pair partner, holding the key, could test the
few thousand possible dates against them — as it could with any encoding of a date.

Invariant: ``encode`` is a pure function of (keys, person); the owner indexing a record
and the requester asking about the same person produce identical codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from puente.hitnohit.clk import Encoder, Person, dob_parts, get_profile
from puente.hitnohit.identifiers import digest
from puente.hitnohit.keys import PairKeys
from puente.hitnohit.matcher import token_int

PROFILE = "person"
DOB_TOKENS = ("year", "date", "swap")
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

    def tokens(self) -> dict[str, str]:
        """The birth-date tokens this code holds, by kind."""
        found = {"year": self.year, "date": self.date, "swap": self.swap}
        return {k: v for k, v in found.items() if v}

    def token_ints(self) -> tuple[int, int, int]:
        """(year, date, swap) as the matcher holds them (0 = none)."""
        return (
            token_int(self.year) if self.year else 0,
            token_int(self.date) if self.date else 0,
            token_int(self.swap) if self.swap else 0,
        )


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


class PersonEncoder:
    """Encodes persons under one pair's keys (the CLK encoder caches feature positions)."""

    def __init__(self, keys: PairKeys) -> None:
        self.keys = keys
        self.clk = Encoder(keys.clk_key(PROFILE), get_profile(PROFILE))

    def encode(self, person: Person) -> PersonCode:
        return PersonCode(self.clk.encode(person), **dob_tokens(self.keys, person.dob))


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

    surname = next((first(p) for p in _SURNAME_PROPS if first(p)), "")
    return Person(names, first("birthDate"), first("gender"), first("nationality"), surname=surname)


def split_name(text: str) -> tuple[tuple[str, ...], str]:
    """Names and surname of a name typed by an analyst: ``"Surnames, Given names"`` gives
    the surnames; a name without a comma has no known surname."""
    surnames, comma, given = text.partition(",")
    if comma and surnames.strip() and given.strip():
        return (given.strip(), surnames.strip()), surnames.strip()
    return (text,), ""
