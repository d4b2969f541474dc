"""The errors real records carry: typos, dropped accents, swapped or partial dates, and the
ways a serial number is misread on a seized gun.

Invariant: every function is a pure function of its input and the ``random.Random`` it is
given, so noise is reproducible; none of them returns an empty string unless asked to
drop a value. ``serial_observed`` returns the observed text and the kind of error, which
the truth files record beside the true serial.
"""

from __future__ import annotations

import random
from datetime import date

from puente.scenario.draw import between, pick

_ACCENTS = str.maketrans("áéíóúüÁÉÍÓÚÜñÑ", "aeiouuAEIOUUnN")
# Keys next to each other on a QWERTY/Spanish keyboard: the substitutions typists make.
_NEIGHBOURS = {
    "a": "sqz",
    "e": "wrd",
    "i": "uok",
    "o": "ipl",
    "u": "yij",
    "n": "bm",
    "m": "n",
    "r": "et",
    "s": "adz",
    "l": "k",
    "t": "ry",
    "c": "xvs",
    "d": "sf",
    "g": "fh",
    "b": "vn",
    "z": "sx",
    "v": "bc",
    "h": "gj",
}
# Look-alike characters OCR and tired eyes confuse on stamped metal.
_LOOKALIKE = {
    "0": "OD",
    "O": "0",
    "D": "0",
    "1": "IL",
    "I": "1",
    "L": "1",
    "5": "S",
    "S": "5",
    "8": "B",
    "B": "8",
    "2": "Z",
    "Z": "2",
    "6": "G",
    "G": "6",
    "7": "1",
}
SERIAL_ERRORS = ("exact", "ocr", "partial", "missing")


def strip_accents(text: str) -> str:
    return text.translate(_ACCENTS)


def typo(text: str, rng: random.Random) -> str:
    """One keyboard error: a neighbour key, a dropped, doubled or transposed letter."""
    if len(text) < 4:
        return text
    i = between(rng, 1, len(text) - 1)
    kind = rng.random()
    ch = text[i]
    if kind < 0.35:
        options = _NEIGHBOURS.get(ch.lower())
        if not options:
            return text[:i] + text[i + 1 :]
        sub = pick(rng, options)
        return text[:i] + (sub.upper() if ch.isupper() else sub) + text[i + 1 :]
    if kind < 0.6:
        return text[:i] + text[i + 1 :]
    if kind < 0.8:
        return text[:i] + ch + text[i:]
    return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]


def ocr(serial: str, rng: random.Random) -> str:
    """One or two look-alike substitutions, or a dropped character."""
    chars = list(serial)
    positions = [i for i, c in enumerate(chars) if c in _LOOKALIKE]
    if positions and rng.random() < 0.8:
        for i in rng.sample(positions, min(len(positions), 1 + (rng.random() < 0.3))):
            chars[i] = pick(rng, _LOOKALIKE[chars[i]])
        out = "".join(chars)
        if out != serial:
            return out
    alnum = [i for i, c in enumerate(serial) if c.isalnum()]
    i = pick(rng, alnum)
    return serial[:i] + serial[i + 1 :]


def partial(serial: str, rng: random.Random) -> str:
    """A partly obliterated serial: the legible part and ``*`` or nothing for the rest."""
    keep = max(2, int(len(serial) * rng.uniform(0.4, 0.75)))
    if rng.random() < 0.5:
        return serial[:keep] + "*" * (len(serial) - keep)
    return serial[:keep]


def serial_observed(
    serial: str, rng: random.Random, rates: tuple[float, float, float]
) -> tuple[str, str]:
    """How a Mexican seizure record writes ``serial``; ``rates`` are the shares of OCR
    errors, partial serials and missing (obliterated) serials. Returns (text, kind)."""
    ocr_rate, partial_rate, missing_rate = rates
    r = rng.random()
    if r < ocr_rate:
        return ocr(serial, rng), "ocr"
    r -= ocr_rate
    if r < partial_rate:
        return partial(serial, rng), "partial"
    r -= partial_rate
    if r < missing_rate:
        return "", "missing"
    if rng.random() < 0.3:  # written without its separators: the same serial, not an error
        return "".join(c for c in serial if c.isalnum()), "exact"
    return serial, "exact"


def observed_birth(born: date, rng: random.Random, year_only: float, swapped: float) -> str:
    """A date of birth as a record holds it: sometimes only the year, sometimes with day
    and month swapped (when that still makes a date)."""
    r = rng.random()
    if r < year_only:
        return f"{born.year:04d}"
    if r < year_only + swapped and born.day <= 12 and born.day != born.month:
        return f"{born.year:04d}-{born.day:02d}-{born.month:02d}"
    return born.isoformat()


def maybe(value: str, rng: random.Random, missing: float) -> str:
    """The value, or nothing with probability ``missing`` (a field the clerk left blank)."""
    return "" if rng.random() < missing else value
