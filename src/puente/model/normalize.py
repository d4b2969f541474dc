"""Normalisation for search keys: names to tokens, identifiers and phones to keys.

Names: ``normality.normalize`` folds accents and case and splits on punctuation, so
"Joaquín Guzmán-Loera" → {"joaquin", "guzman", "loera"}; a query is matched as a set of
tokens, which makes search order-insensitive ("guzman loera joaquin").

Identifiers: upper-case letters and digits only ("AB-123 456" → "AB123456"); no
look-alike folding (O/0, I/1) here: search is exact, the fuzzy matching of misread
serials belongs to tracing and hit/no-hit, which explain their own design.

Phones: digits only, without international prefix, reduced to the last ten digits —
the national significant number in both Mexico and the NANP — so "+52 55 1234 5678",
"(55) 1234-5678" and "0052 5512345678" share one key.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable

from normality import normalize

_NON_ALNUM = re.compile(r"[^0-9A-Z]")
_ASCII_SPLIT = re.compile(r"[^a-z0-9]+")
_NON_DIGIT = re.compile(r"\D")


class _LatinFold(dict[int, str]):
    """``str.translate`` table folding accented Latin letters to their base letter
    ("í" → "i", "Ñ" → "N"): a character whose canonical decomposition is an ASCII letter
    plus combining diacritics (U+0300–U+036F) folds to that letter, ASCII stays itself,
    anything else becomes NUL, which sends the value to normality. Filled lazily."""

    def __missing__(self, cp: int) -> str:
        if cp < 128:
            folded = chr(cp)
        else:
            parts = unicodedata.normalize("NFD", chr(cp))
            base, marks = parts[0], parts[1:]
            plain = base in string.ascii_letters and all("\u0300" <= m <= "\u036f" for m in marks)
            folded = base if plain else "\x00"
        self[cp] = folded
        return folded


_FOLD = _LatinFold()


def name_tokens(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if not value.isascii():
            # accented Latin names fold in a table look-up per character; the same
            # tokens as normality's transliteration (tested over every code point),
            # six times faster. Other scripts go through normality.
            folded = value.translate(_FOLD)
            if "\x00" not in folded:
                value = folded
        if value.isascii():  # fast path, same result as normality for plain ASCII
            tokens = _ASCII_SPLIT.split(value.lower())
        else:
            tokens = (normalize(value, lowercase=True, ascii=True) or "").split()
        for token in tokens:
            if token:
                seen.setdefault(token, None)
    return list(seen)


def identifier_key(value: str) -> str:
    return _NON_ALNUM.sub("", value.upper())


def phone_key(value: str) -> str:
    digits = _NON_DIGIT.sub("", value)
    if len(digits) < 7:
        return ""
    return "T" + digits[-10:]
