"""How two agencies' descriptions of the same gun are made comparable: make, calibre,
type and the categories the indicators count (.50 calibre, AK- and AR-type rifles).

Mexican seizure records write types in Spanish (``fusil``, ``pistola``, ``escopeta``) and
often leave calibre or model out; US records write the manufacturer's names. Every key
here is upper-case alphanumeric so ``Smith & Wesson``, ``SMITH AND WESSON`` and ``S&W``
compare equal.

Invariant: pure functions of their text; an empty input gives an empty key, and an empty
key is "unknown", never a mismatch.
"""

from __future__ import annotations

import re

_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
_MAKE_ALIASES = {
    "SW": "SMITHWESSON",
    "SANDW": "SMITHWESSON",
    "SMITHANDWESSON": "SMITHWESSON",
    "COLTS": "COLT",
    "COLTSMANUFACTURING": "COLT",
    "COLTMFG": "COLT",
    "PSA": "PALMETTOSTATEARMORY",
    "CENTURY": "CENTURYARMS",
    "CENTURYINTERNATIONALARMS": "CENTURYARMS",
    "ZASTAVAARMS": "ZASTAVA",
    "STURMRUGER": "RUGER",
    "GLOCKGMBH": "GLOCK",
    "BARRETTFIREARMS": "BARRETT",
    "ANDERSON": "ANDERSONMANUFACTURING",
    "FNHERSTAL": "FN",
}
# Calibres that are one chambering under two names.
_CALIBRE_ALIASES = {
    "556X45MM": "556",
    "556NATO": "556",
    "223REM": "556",
    "223": "556",
    "556": "556",
    "762X39MM": "76239",
    "762X39": "76239",
    "50BMG": "50BMG",
    "50": "50BMG",
    "9X19MM": "9MM",
    "9MM": "9MM",
    "9MMLUGER": "9MM",
    "38SUPER": "38SUPER",
}
_TYPES = {
    "RIFLE": "rifle",
    "FUSIL": "rifle",
    "CARABINA": "rifle",
    "ARMALARGA": "rifle",
    "PISTOL": "pistol",
    "PISTOLA": "pistol",
    "REVOLVER": "revolver",
    "SHOTGUN": "shotgun",
    "ESCOPETA": "shotgun",
    "MACHINEGUN": "machine_gun",
    "AMETRALLADORA": "machine_gun",
}
HANDGUNS = {"pistol", "revolver"}


def make_key(make: str) -> str:
    key = _NOT_ALNUM.sub("", make.upper().replace("&", "AND"))
    return _MAKE_ALIASES.get(key, key)


def calibre_key(calibre: str) -> str:
    text = calibre.upper().replace(",", ".")
    key = _NOT_ALNUM.sub("", text)
    if key.startswith("CAL"):
        key = key[3:]
    return _CALIBRE_ALIASES.get(key, key)


def type_key(kind: str) -> str:
    return _TYPES.get(_NOT_ALNUM.sub("", kind.upper()), kind.strip().lower())


def model_key(model: str) -> str:
    return _NOT_ALNUM.sub("", model.upper())


def category(make: str, model: str, calibre: str, description: str = "") -> str:
    """``fifty`` (.50 calibre), ``ak`` or ``ar`` type, or ``other``."""
    cal = calibre_key(calibre)
    text = f"{make} {model} {description}".upper()
    if cal == "50BMG" or "BARRETT" in text or ".50" in text or "CALIBRE 50" in text:
        return "fifty"
    if cal == "76239" or re.search(r"AK-?47|WASR|DRACO|VSKA|M70|CUERNO DE CHIVO", text):
        return "ak"
    if cal == "556" or re.search(r"AR-?15|M4|M&P15|XM-15|AM-15|PA-15|AR-556", text):
        return "ar"
    return "other"
