"""Person names as both countries write them, reduced to comparable parts.

A Mexican record writes *given names* then *two surnames* (paternal, maternal):
"José Luis Ramírez Ochoa"; a US record may drop the maternal surname ("JOSE LUIS
RAMIREZ"), hyphenate the two ("J. L. Ramirez-Ochoa"), put surnames first with a comma
("RAMIREZ OCHOA, JOSE LUIS") or in official Mexican order without one ("RAMIREZ OCHOA
JOSE LUIS"). Nicknames and aliases follow "alias", "a.k.a.", "(a)" or "apodado".

Invariant: ``parse_person_name`` is a pure function of its input; the same string always
gives the same ``NameParts`` (tokens are ASCII lower case via ``normality``, particles
such as "de", "del", "la" are dropped, nicknames are mapped to the canonical given name
from ``nicknames.yaml``). Which leading tokens are given names is decided with a lexicon
of given names from Faker's es_MX and en_US providers (a declared dependency), so
splitting never needs the record's country.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

import yaml
from normality import normalize
from rigour.names import remove_person_prefixes

PARTICLES = frozenset(
    {"de", "del", "la", "las", "los", "y", "e", "da", "das", "do", "dos", "di", "van", "von"}
)
ASCII_WORD = re.compile(r"[a-z0-9]+")
ALIAS_SPLIT = re.compile(
    r"\s*(?:\balias\b|\ba\.?\s?k\.?\s?a\.?|\(a\)|\bapodad[oa]\b|\bconocid[oa] como\b|"
    r"\bel llamado\b|\"|“|”)\s*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class NameParts:
    """Given names (canonical, in order), surnames (in order) and aliases of one name."""

    given: tuple[str, ...] = ()
    surnames: tuple[str, ...] = ()
    aliases: tuple[str, ...] = field(default=())

    @property
    def key(self) -> str:
        """Order-insensitive key of the whole name: sorted tokens."""
        return " ".join(sorted({*self.given, *self.surnames}))


def tokens(text: str) -> list[str]:
    """ASCII lower-case word tokens; hyphens and dots split words."""
    return list(_tokens(text))


@lru_cache(maxsize=200_000)
def _tokens(text: str) -> tuple[str, ...]:
    if text.isascii():  # fast path, same result as normality for plain ASCII
        return tuple(ASCII_WORD.findall(text.lower()))
    norm = normalize(text.replace("-", " ").replace(".", " "), lowercase=True, ascii=True)
    return tuple(norm.split()) if norm else ()


@cache
def nicknames() -> dict[str, str]:
    """nickname (normalised) → canonical given name (normalised)."""
    raw = yaml.safe_load(
        resources.files("puente.resolve").joinpath("nicknames.yaml").read_text("utf-8")
    )
    out: dict[str, str] = {}
    for canonical, nicks in raw.items():
        canon = " ".join(tokens(str(canonical)))
        for nick in nicks:
            out[" ".join(tokens(str(nick)))] = canon
    return out


@cache
def given_lexicon() -> frozenset[str]:
    from faker.providers.person.en_US import Provider as UsNames
    from faker.providers.person.es_MX import Provider as MxNames

    words: set[str] = set()
    for provider in (MxNames, UsNames):
        for attr in ("first_names", "first_names_male", "first_names_female"):
            for name in getattr(provider, attr, ()):
                words.update(tokens(str(name)))
    words.update(nicknames())
    words.update(w for canon in nicknames().values() for w in canon.split())
    return frozenset(words - PARTICLES)


def canonical_given(words: list[str]) -> list[str]:
    """Map nicknames to canonical given names ("pepe" → "jose", "chema" → "jose maria")."""
    nick = nicknames()
    out: list[str] = []
    for w in words:
        out.extend(nick.get(w, w).split())
    return out


def split_aliases(value: str) -> tuple[str, list[str]]:
    """ "José Ramírez alias El Güero" → ("José Ramírez", ["El Güero"])."""
    parts = [p.strip(" ,;()") for p in ALIAS_SPLIT.split(value)]
    parts = [p for p in parts if p]
    if not parts:
        return "", []
    return parts[0], parts[1:]


def alias_key(value: str) -> str:
    """An alias as a key: tokens without particles or articles ("El Güero" → "guero")."""
    return " ".join(t for t in tokens(value) if t not in PARTICLES and t not in {"el", "la"})


def parse_person_name(value: str) -> NameParts:
    """Split a full name into given names, surnames and aliases (see module docstring)."""
    main, aliases = split_aliases(value)
    main = remove_person_prefixes(main)
    alias_keys = tuple(k for k in (alias_key(a) for a in aliases) if k)
    if "," in main:
        last, _, first = main.partition(",")
        given = [t for t in tokens(first) if t not in PARTICLES]
        surnames = [t for t in tokens(last) if t not in PARTICLES]
        return NameParts(tuple(canonical_given(given)), tuple(surnames), alias_keys)
    words = [t for t in tokens(main) if t not in PARTICLES]
    if not words:
        return NameParts(aliases=alias_keys)
    if len(words) == 1:
        return NameParts((), tuple(words), alias_keys)
    lexicon = given_lexicon()

    def is_given(w: str) -> bool:
        return len(w) == 1 or w in lexicon

    if not is_given(words[0]) and is_given(words[-1]):
        # official Mexican order: surnames first ("RAMIREZ OCHOA JOSE LUIS")
        n = len(words)
        while n > 1 and is_given(words[n - 1]):
            n -= 1
        given, surnames = words[n:], words[:n]
    else:
        n = 1
        while n < len(words) - 1 and is_given(words[n]):
            n += 1
        given, surnames = words[:n], words[n:]
    return NameParts(tuple(canonical_given(given)), tuple(surnames), alias_keys)


def from_parts(
    first: list[str], middle: list[str], father: list[str], mother: list[str], last: list[str]
) -> NameParts:
    """Build parts from FtM's explicit properties (firstName, fatherName, lastName…)."""
    given = [t for v in first + middle for t in tokens(v) if t not in PARTICLES]
    surnames = [t for v in father + mother + last for t in tokens(v) if t not in PARTICLES]
    return NameParts(tuple(canonical_given(given)), tuple(dict.fromkeys(surnames)))
