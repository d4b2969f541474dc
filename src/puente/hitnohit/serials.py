"""Firearm serials and makes: normalisation, look-alike folding, one-edit neighbourhoods.

A serial read off a seized gun is often misread by one character: a look-alike swapped
(O/0, I/1, S/5, B/8, Z/2, G/6), a character dropped or doubled, two neighbours transposed.
Matching must still find it *without* anything weaker than an exact comparison of full
keyed hashes. The design (explained in ``docs/hitnohit.md``):

1. ``serial_key`` — upper-case letters and digits only, then every look-alike folded
   to one representative (``O``/``Q``/``D`` → ``0``, ``I``/``L`` → ``1``…): a look-alike
   misread becomes an *exact* match of the folded key.
2. ``serial_variants`` — the key and its one-deletion neighbourhood (each key with one
   character removed, as in SymSpell). Two keys within one edit (substitution,
   insertion, deletion, adjacent transposition) always share at least one variant, and
   keys sharing a variant are within that distance. Keys shorter than ``MIN_FUZZY``
   produce only themselves: on short serials one edit is too large a share.

Pure functions of their input, no state: the firearm-tracing feature uses the same ones.
Public API: ``normalise_serial``, ``fold_lookalikes``, ``serial_key``, ``serial_variants``,
``serials_near``, ``normalise_make``.
"""

from __future__ import annotations

import re

from normality import normalize

MIN_FUZZY = 5
MAX_SERIAL = 32

# Characters commonly confused when a serial is read off metal or transcribed, folded to
# one representative. Digits represent their class: folding never invents a letter.
_LOOKALIKES = str.maketrans(
    {
        "O": "0",
        "Q": "0",
        "D": "0",
        "I": "1",
        "L": "1",
        "Z": "2",
        "S": "5",
        "B": "8",
        "G": "6",
    }
)
_NON_ALNUM = re.compile(r"[^0-9A-Z]")

_MAKE_NOISE = frozenset({"AND", "INC", "LLC", "CO", "CORP", "MFG", "SA", "DE", "CV"})
# Manufacturer names as agencies on both sides write them, reduced to one key.
_MAKE_ALIASES = {
    "SW": "SMITHWESSON",
    "SMITHANDWESSON": "SMITHWESSON",
    "SMITHWESSON": "SMITHWESSON",
    "SMITHWESSONINC": "SMITHWESSON",
    "STURMRUGER": "RUGER",
    "STURMRUGERCO": "RUGER",
    "RUGER": "RUGER",
    "COLTS": "COLT",
    "COLTSMANUFACTURING": "COLT",
    "COLT": "COLT",
    "GLOCKGMBH": "GLOCK",
    "GLOCKINC": "GLOCK",
    "GLOCK": "GLOCK",
    "BERETTAUSA": "BERETTA",
    "PIETROBERETTA": "BERETTA",
    "FNH": "FN",
    "FNHERSTAL": "FN",
    "FNAMERICA": "FN",
    "CENTURYARMS": "CENTURY",
    "CENTURYINTERNATIONALARMS": "CENTURY",
    "SIGSAUER": "SIG",
    "SIGARMS": "SIG",
    "BARRETTFIREARMS": "BARRETT",
}


def normalise_serial(text: str) -> str:
    """Upper-case letters and digits only: separators, spaces and accents dropped."""
    ascii_text = normalize(text, lowercase=False, ascii=True, collapse=True) or ""
    return _NON_ALNUM.sub("", ascii_text.upper())[:MAX_SERIAL]


def fold_lookalikes(serial: str) -> str:
    """Map every look-alike character of a normalised serial to its representative."""
    return serial.translate(_LOOKALIKES)


def serial_key(text: str) -> str:
    """The comparable form of a serial as written: normalised, then look-alikes folded."""
    return fold_lookalikes(normalise_serial(text))


def serial_variants(key: str) -> list[str]:
    """``key`` followed by its distinct one-deletion variants (only ``key`` itself when
    shorter than ``MIN_FUZZY``). Order is stable; duplicates are removed."""
    if not key:
        return []
    out = {key: None}
    if len(key) >= MIN_FUZZY:
        for i in range(len(key)):
            out.setdefault(key[:i] + key[i + 1 :], None)
    return list(out)


def serials_near(a: str, b: str) -> bool:
    """True when the serials as written match under the hit/no-hit rule: equal folded
    keys, or (both at least ``MIN_FUZZY`` long) one shared one-deletion variant."""
    ka, kb = serial_key(a), serial_key(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    if min(len(ka), len(kb)) < MIN_FUZZY:
        return False
    return bool(set(serial_variants(ka)) & set(serial_variants(kb)))


def normalise_make(text: str) -> str:
    """A manufacturer key: ASCII letters and digits, legal suffixes and aliases folded
    ("Smith & Wesson", "S&W", "SMITH AND WESSON" → ``SMITHWESSON``)."""
    words = (normalize(text.replace("&", " "), ascii=True) or "").upper().split()
    key = _NON_ALNUM.sub("", "".join(w for w in words if w not in _MAKE_NOISE))
    return _MAKE_ALIASES.get(key, key)
