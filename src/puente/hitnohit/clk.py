"""Person encodings: cryptographic long-term keys (CLKs), hardened by XOR-folding.

A CLK is a Bloom filter of the person's features (``features``): q-grams of the
normalised name tokens, those of the first surname once more (tagged ``surname``: which
surname is kept tells "Pérez" from "López" when the other is dropped), sex, nationality,
and — in profiles that hold it in the filter — the birth date's digits; each feature
tagged with its field. The ``person`` profile compares birth dates through keyed tokens
instead (``persons``), and its ``rule`` says how much name similarity each birth-date
outcome needs. A feature sets ``k`` positions (from its field's weight in
``profiles.yaml``) taken from ``HMAC-SHA256(pair CLK key, field 0x1f feature)``: the
positions are secret to the pair and differ for every other pair.

Hardening (on by default): the filter is built at ``bits`` positions and XOR-folded in
half (bit *i* of the result = bit *i* XOR bit *i + bits/2*). In a plain CLK every record
holding q-gram *g* has *g*'s positions set, so frequent q-grams show up as frequent,
co-occurring columns — the weakness frequency and pattern-mining attacks exploit.
After folding, a position is set when exactly one of two source bits is, so no set of
columns is set together whenever a q-gram is present. Similar records keep similar
filters, so Dice similarity still separates matches (``docs/hitnohit.md`` has figures).

Invariant: ``encode`` is a pure function of (key, profile, person, harden): the owner
indexing a record and the requester asking about a person get identical bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

import numpy as np
import numpy.typing as npt
import yaml
from normality import normalize

from puente.errors import InvalidInput

Packed = npt.NDArray[np.uint64]
_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "da", "dos", "van", "von", "di"})
_SEX = {
    "m": "m",
    "male": "m",
    "h": "m",
    "hombre": "m",
    "masculino": "m",
    "f": "f",
    "female": "f",
    "mujer": "f",
    "femenino": "f",
}
_DATE = re.compile(r"^(\d{4})(?:-?(\d{2})(?:-?(\d{2}))?)?")


@dataclass(frozen=True)
class Rule:
    """Field-aware comparison: name similarity ``dice·Dice + (1−dice)·overlap`` of the
    filters (overlap = shared bits over the smaller filter's: a dropped surname costs
    little) must reach the threshold of what the birth dates say — ``date`` (same date,
    or day and month swapped), ``year`` (one side knows only the year, and it agrees),
    ``unknown`` (one side has none). Dates that disagree never make a hit.

    The person's identifiers (passport, phone: keyed tokens) move the threshold: a
    shared one lowers it to ``agree``; where both sides hold one of a kind and none
    agrees, the names must reach ``conflict_*`` of the dates' outcome instead."""

    dice: float
    date: float
    year: float
    unknown: float
    agree: float = 0.0
    conflict_date: float = 0.0
    conflict_year: float = 0.0
    conflict_unknown: float = 0.0

    def params(self) -> list[float]:
        """The kernel's parameters: [rule on, dice share, date, year, unknown, agree,
        conflict date, conflict year, conflict unknown] (``kernels.search``)."""
        conflict = (self.conflict_date, self.conflict_year, self.conflict_unknown)
        plain = (self.date, self.year, self.unknown)
        return [
            1.0,
            self.dice,
            *plain,
            self.agree or min(plain),
            *(c or p for c, p in zip(conflict, plain, strict=True)),
        ]


@dataclass(frozen=True)
class Profile:
    name: str
    bits: int
    threshold: float  # Dice profiles; the lowest of the rule's thresholds otherwise
    weights: dict[str, int]
    rule: Rule | None = None

    @property
    def out_bits(self) -> int:
        return self.bits // 2


@cache
def profiles() -> dict[str, Profile]:
    text = resources.files("puente.hitnohit").joinpath("profiles.yaml").read_text("utf-8")
    out: dict[str, Profile] = {}
    for name, p in yaml.safe_load(text).items():
        rule = None
        if "rule" in p:
            r = p["rule"]
            conflict = r.get("conflict") or {}
            rule = Rule(
                float(r["dice"]),
                float(r["date"]),
                float(r["year"]),
                float(r["unknown"]),
                float(r.get("agree", 0.0)),
                float(conflict.get("date", 0.0)),
                float(conflict.get("year", 0.0)),
                float(conflict.get("unknown", 0.0)),
            )
            threshold = min(rule.params()[2:])
        else:
            threshold = float(p["threshold"])
        out[name] = Profile(name, int(p["bits"]), threshold, dict(p["fields"]), rule)
    return out


def get_profile(name: str) -> Profile:
    found = profiles().get(name)
    if found is None:
        raise InvalidInput("hitnohit.bad_profile", profile=name[:40], allowed=", ".join(profiles()))
    return found


@dataclass(frozen=True)
class Person:
    """What is known of a person; every field optional except at least a name."""

    names: tuple[str, ...]
    dob: str = ""
    sex: str = ""
    nationality: str = ""
    extra: dict[str, str] = field(default_factory=dict)  # profile fields such as address
    surname: str = ""  # the family name(s) when known apart from the given names
    passport: str = ""  # identifiers the ``person`` profile carries as keyed tokens
    phone: str = ""


def name_tokens(names: Iterable[str]) -> list[str]:
    out: list[str] = []
    for value in names:
        for token in _tokens(value):
            if token not in out:
                out.append(token)
    return out


@lru_cache(maxsize=1 << 16)
def _tokens(value: str) -> tuple[str, ...]:
    """ASCII lower-case tokens of one name value, particles dropped (names recur: cached)."""
    text = normalize(value, lowercase=True, ascii=True) or ""
    return tuple(t for t in text.split() if t not in _PARTICLES)


def _bigrams(text: str) -> list[str]:
    padded = f"_{text}_"
    return [padded[i : i + 2] for i in range(len(padded) - 1)]


def dob_parts(dob: str) -> tuple[str, str, str]:
    """(year, month, day) of an ISO date or ``YYYYMMDD``; missing parts are ''."""
    m = _DATE.match(dob.strip())
    if m is None:
        return "", "", ""
    return m.group(1), m.group(2) or "", m.group(3) or ""


def features(profile: Profile, person: Person) -> list[tuple[str, str]]:
    """``(field, feature)`` pairs the CLK of ``person`` holds under ``profile``."""
    out: list[tuple[str, str]] = []
    weights = profile.weights
    if "name" in weights:
        out += [("name", g) for t in name_tokens(person.names) for g in _bigrams(t)]
    first_surname = name_tokens([person.surname])[:1]
    if "surname" in weights and first_surname:
        out += [("surname", g) for g in _bigrams(first_surname[0])]
    year, month, day = dob_parts(person.dob)
    if "dob" in weights and year:
        out += [("dob", "y" + year)] + [("dob", g) for g in _bigrams(year + month + day)]
        out += [("dob", "m" + month)] if month else []
        out += [("dob", "d" + day)] if day else []
    sex = _SEX.get(person.sex.strip().lower(), "")
    if "sex" in weights and sex:
        out.append(("sex", sex))
    nat = person.nationality.strip().lower()[:3]
    if "nationality" in weights and nat:
        out.append(("nationality", nat))
    for name, value in person.extra.items():
        if name in weights and value:
            out += [(name, g) for t in name_tokens([value]) for g in _bigrams(t)]
    return out


class Encoder:
    """Encodes persons under one pair key and profile; caches positions per feature."""

    def __init__(self, key: bytes, profile: Profile, *, harden: bool = True) -> None:
        self.key = key
        self.profile = profile
        self.harden = harden
        self.bits = profile.bits if harden else profile.out_bits
        self._positions: dict[tuple[str, str], npt.NDArray[np.intp]] = {}

    def positions(self, fname: str, feature: str) -> npt.NDArray[np.intp]:
        cached = self._positions.get((fname, feature))
        if cached is not None:
            return cached
        k = self.profile.weights[fname]
        raw = b""
        counter = 0
        while len(raw) < 4 * k:
            msg = f"{fname}\x1f{feature}\x1f{counter}".encode()
            raw += hmac.new(self.key, msg, hashlib.sha256).digest()
            counter += 1
        found = (np.frombuffer(raw[: 4 * k], dtype="<u4") % self.bits).astype(np.intp)
        self._positions[(fname, feature)] = found
        return found

    def bits_of(self, person: Person) -> npt.NDArray[np.bool_]:
        filt = np.zeros(self.bits, dtype=np.bool_)
        found = [self.positions(field, feat) for field, feat in features(self.profile, person)]
        if found:
            filt[np.concatenate(found)] = True
        if self.harden:
            half = self.bits // 2
            filt = filt[:half] ^ filt[half:]
        return filt

    def encode(self, person: Person) -> bytes:
        """The CLK as bytes (``out_bits / 8`` of them, bit 0 = MSB of byte 0)."""
        if not name_tokens(person.names):
            raise InvalidInput("hitnohit.no_name")
        return np.packbits(self.bits_of(person)).tobytes()


def pack(clks: Iterable[bytes], nbytes: int) -> Packed:
    """Rows of 64-bit words for popcount arithmetic (N × nbytes/8)."""
    buf = b"".join(clks)
    return np.frombuffer(buf, dtype=np.uint64).reshape(-1, nbytes // 8).copy()


def from_hex(text: str, nbytes: int) -> bytes:
    try:
        raw = bytes.fromhex(text)
    except ValueError as exc:
        raise InvalidInput("hitnohit.bad_clk") from exc
    if len(raw) != nbytes:
        raise InvalidInput("hitnohit.bad_clk")
    return raw
