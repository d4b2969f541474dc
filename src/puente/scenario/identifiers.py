"""Identifiers in the formats each country's records use: CURP and RFC (built from the name
and birth date with the official rules and check digit), SSN-like numbers, driver
licences per state, passports, phones in national and international formats, plates,
MMSIs, FFL numbers and serials from a catalogue pattern.

Invariant: every generator is a pure function of its inputs and the ``random.Random`` it
is given; CURPs carry a valid check digit, so a mistyped one is detectable.
"""

from __future__ import annotations

import random
import string
from datetime import date
from functools import cache

from puente.scenario.draw import below, between, pick
from puente.scenario.noise import strip_accents

_CURP_ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
_CURP_VALUE = {c: i for i, c in enumerate(_CURP_ALPHABET)}
_CURP_WEIGHTS = tuple(range(18, 1, -1))
_PARTICLES = frozenset({"DE", "LA", "DEL", "LOS", "LAS", "Y", "MC", "MAC", "VAN", "VON"})
_SKIP_GIVEN = frozenset({"MARIA", "MA.", "MA", "JOSE", "J", "J."})
_VOWELS = "AEIOU"
UPPER = string.ascii_uppercase
DIGITS = string.digits
ALNUM = UPPER + DIGITS


@cache
def _clean(word: str) -> str:
    word = strip_accents(word.upper().replace("Ñ", "X"))
    parts = [p for p in word.replace("-", " ").split() if p not in _PARTICLES]
    return "".join(c for c in " ".join(parts) if c.isalpha() or c == " ")


def _first_internal(word: str, vowels: bool) -> str:
    for c in word[1:]:
        if (c in _VOWELS) == vowels and c.isalpha():
            return c
    return "X"


@cache
def _given_for_key(given: str) -> str:
    words = _clean(given).split()
    if len(words) > 1 and words[0] in _SKIP_GIVEN:
        return words[1]
    return words[0] if words else "X"


def _yymmdd(born: date) -> str:
    return f"{born.year % 100:02d}{born.month:02d}{born.day:02d}"


def curp_check_digit(first17: str) -> str:
    total = sum(_CURP_VALUE[c] * w for c, w in zip(first17, _CURP_WEIGHTS, strict=True))
    return str((10 - total % 10) % 10)


@cache
def _parts(word: str, given: bool) -> tuple[str, str, str]:
    """(first letter, first inner vowel, first inner consonant) of a cleaned name word."""
    key = _given_for_key(word) if given else (_clean(word) or "X")
    return key[0], _first_internal(key, True), _first_internal(key, False)


def name_key(given: str, paternal: str, maternal: str) -> str:
    """The four letters CURP and RFC open with."""
    pat, mat = _parts(paternal, False), _parts(maternal, False)
    return pat[0] + pat[1] + mat[0] + _parts(given, True)[0]


def curp(
    given: str, paternal: str, maternal: str, born: date, sex: str, state: str, rng: random.Random
) -> str:
    pat, mat, giv = _parts(paternal, False), _parts(maternal, False), _parts(given, True)
    body = (
        f"{pat[0]}{pat[1]}{mat[0]}{giv[0]}{_yymmdd(born)}{'M' if sex == 'female' else 'H'}"
        f"{state}{pat[2]}{mat[2]}{giv[2]}"
        + (pick(rng, DIGITS) if born.year < 2000 else pick(rng, UPPER))
    )
    return body + curp_check_digit(body)


def rfc(given: str, paternal: str, maternal: str, born: date, rng: random.Random) -> str:
    homoclave = "".join(rng.choices(ALNUM, k=3))
    return name_key(given, paternal, maternal) + _yymmdd(born) + homoclave


def ssn(rng: random.Random) -> str:
    area = between(rng, 1, 900)
    if area == 666:
        area = 667
    return f"{area:03d}-{between(rng, 1, 100):02d}-{between(rng, 1, 10000):04d}"


def driver_licence(state: str, rng: random.Random) -> str:
    if state == "TX":
        return f"{between(rng, 10**7, 10**8)}"
    if state == "CA":
        return pick(rng, UPPER) + f"{below(rng, 10**7):07d}"
    if state == "AZ":
        return pick(rng, "ABDY") + f"{below(rng, 10**8):08d}"
    return f"{between(rng, 10**8, 10**9)}"


def passport_mx(rng: random.Random) -> str:
    return pick(rng, "GNP") + f"{below(rng, 10**8):08d}"


def passport_us(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return pick(rng, "ACE") + f"{below(rng, 10**8):08d}"
    return f"{between(rng, 10**8, 10**9)}"


def phone_number(area: str, rng: random.Random) -> str:
    """Ten national digits: the area code and a subscriber number."""
    rest = 10 - len(area)
    return f"{area}{between(rng, 2 * 10 ** (rest - 1), 10**rest)}"


def format_mx_phone(digits: str, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.3:
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    if r < 0.5:
        return f"+52 {digits[:3]} {digits[3:6]} {digits[6:]}"
    if r < 0.6:
        return f"+52 1 {digits}"
    if r < 0.7:
        return f"044 {digits}"
    if r < 0.85:
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return digits


def format_us_phone(digits: str, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.4:
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    if r < 0.6:
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    if r < 0.75:
        return f"+1 {digits[:3]} {digits[3:6]} {digits[6:]}"
    if r < 0.85:
        return f"1{digits}"
    return f"{digits[:3]}.{digits[3:6]}.{digits[6:]}"


def plate_mx(rng: random.Random) -> str:
    letters = "".join(rng.choices(UPPER, k=3))
    return f"{letters}-{below(rng, 100):02d}-{below(rng, 100):02d}"


def plate_us(rng: random.Random) -> str:
    letters = "".join(rng.choices(UPPER, k=3))
    return f"{letters}{below(rng, 10000):04d}"


def mmsi(flag: str, rng: random.Random) -> str:
    mid = {"ve": "775", "co": "730", "mx": "345", "ec": "735", "gt": "332", "hn": "334"}
    return mid.get(flag, "345") + f"{below(rng, 10**6):06d}"


def ffl(rng: random.Random) -> str:
    return (
        f"{pick(rng, '5896')}-{between(rng, 10, 99)}-{between(rng, 1, 999):03d}-"
        f"{pick(rng, ('01', '02', '07'))}-{pick(rng, '123456789')}{pick(rng, 'ABCDEFGHJK')}-"
        f"{below(rng, 10**5):05d}"
    )


def serial_from(pattern: str, rng: random.Random) -> str:
    out = []
    for c in pattern:
        if c == "#":
            out.append(pick(rng, DIGITS))
        elif c == "@":
            out.append(pick(rng, UPPER))
        else:
            out.append(c)
    return "".join(out)
