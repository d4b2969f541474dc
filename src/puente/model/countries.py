"""Country codes. Nodes and releasability lists name countries by ISO 3166 alpha-3
(``MEX``, ``USA``), as NATO and EU releasability markings do ("REL TO MEX, USA").

We accept alpha-2, alpha-3 and English names on input because agencies' files use all
three; rigour's territory table is the single source, so "Mexico", "mx" and "MEX" agree.
Territories without an alpha-3 code (Kosovo, sub-national entities) are refused: a node
must be a country that can sign a cooperation agreement.
"""

from __future__ import annotations

from functools import cache

from rigour.territories import get_territory, lookup_territory

from puente.errors import InvalidInput


@cache
def _alpha3_index() -> dict[str, str]:
    from rigour.territories import get_territories

    index: dict[str, str] = {}
    for territory in get_territories():
        if territory.alpha3 and territory.is_country:
            index[territory.alpha3.upper()] = territory.alpha3.upper()
    return index


def country_code(value: str) -> str:
    """Return the ISO alpha-3 code for ``value`` or raise ``InvalidInput``."""
    text = (value or "").strip()
    if not text:
        raise InvalidInput("error.unknown_country", value=value)
    upper = text.upper()
    if upper in _alpha3_index():
        return upper
    territory = get_territory(text.lower()) or lookup_territory(text)
    if territory is None or not territory.alpha3:
        raise InvalidInput("error.unknown_country", value=value)
    return territory.alpha3.upper()


def alpha2(code: str) -> str:
    """FtM stores countries as lower-case alpha-2; map an alpha-3 node code to it."""
    territory = lookup_territory(code)
    if territory is None:
        raise InvalidInput("error.unknown_country", value=code)
    return territory.code
