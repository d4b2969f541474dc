"""Name tokens: the fast paths give exactly normality's tokens.

Records already indexed and queries typed later must produce the same tokens, so a
faster path is only allowed where it agrees with normality's transliteration."""

from __future__ import annotations

import sys
import unicodedata

from normality import normalize

from puente.model.normalize import _FOLD, name_tokens


def normality_tokens(value: str) -> list[str]:
    return (normalize(value, lowercase=True, ascii=True) or "").split()


def folding_characters() -> list[str]:
    """Every non-ASCII character the Latin fold handles itself (the rest fall back)."""
    out = []
    for cp in range(0x80, sys.maxunicode + 1):
        if unicodedata.category(chr(cp)) in ("Cs", "Cn"):
            continue
        if chr(cp).translate(_FOLD) != "\x00":
            out.append(chr(cp))
    return out


def test_latin_fold_agrees_with_normality_for_every_character_it_folds() -> None:
    chars = folding_characters()
    assert "á" in chars and "Ñ" in chars and "ü" in chars
    assert "ß" not in chars and "ø" not in chars and "я" not in chars  # normality's job
    for ch in chars:
        for value in (f"ab{ch}cd", f"{ch.upper()}x y", f"Jos{ch}", ch, f"-{ch}", f"1{ch}2"):
            assert name_tokens([value]) == normality_tokens(value), (hex(ord(ch)), value)


def test_names_of_both_countries_tokenise_as_normality_does() -> None:
    names = [
        "Joaquín Guzmán-Loera",
        "MARÍA DE LA LUZ NÚÑEZ",
        "Óscar Peña y Ibáñez",
        "Zoë O'Connor-Smith",
        "José Ángel Martínez Müller",
        "Straße Østergaard",  # outside the fold: normality itself
        "Дмитрий Иванов",
        "e\u0301mile",  # already decomposed: normality itself
    ]
    for name in names:
        assert name_tokens([name]) == normality_tokens(name), name
    assert name_tokens(["Joaquín Guzmán", "guzman loera"]) == ["joaquin", "guzman", "loera"]
