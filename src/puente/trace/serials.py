"""Serial numbers as tracing reads them: cleaned, folded for look-alikes, split into the
legible part of a partly obliterated serial, and compared with an explanation.

A stamped serial is misread in a few typical ways: look-alike characters (O/0, I/1, L/1,
S/5, B/8, Z/2, G/6, D/0, Q/0), a character missing or added, and obliterated digits
(written ``*``, ``?``, ``#`` or ``_``, or cut short). ``fold`` maps every look-alike to
one representative so those misreads compare equal; ``deletion_keys`` is the deletion
neighbourhood of a folded serial — two serials within one edit share a key, so a
near-match is an index look-up, never a scan.

Invariant: every function here is pure and deterministic and depends only on the text;
the index hashes these keys in ``keys`` (never with Python's per-process ``hash``), so an
index written by one process is read correctly by any other. (The hit/no-hit engineer
may own a twin of this module; the two should be merged into one.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Look-alikes fold to the digit; ``7``/``1`` is not folded (too many true 7s and 1s):
# it is one substitution, which the deletion neighbourhood still finds.
_FOLD = str.maketrans("OQDILSBZG", "000115826")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
_OBLITERATED = re.compile(r"[*?#_]")
MIN_LEGIBLE = 3  # fewer legible characters than this are not searched
MIN_FUZZY = 5  # shorter serials are matched exactly (after folding) only


def clean(serial: str) -> str:
    """Upper case, letters and digits only: ``'le-12 345'`` → ``'LE12345'``."""
    return _NOT_ALNUM.sub("", serial.upper())


def fold(serial: str) -> str:
    """The cleaned serial with look-alikes folded: ``'LE1O345'`` → ``'1E10345'``."""
    return clean(serial).translate(_FOLD)


@dataclass(frozen=True)
class Reading:
    """What a recorded serial tells. ``pattern`` is the cleaned serial with ``?`` for each
    obliterated character; ``partial`` when some is lost; ``length`` when the whole length
    is known (obliterated characters were marked, or nothing is lost)."""

    pattern: str
    partial: bool

    @property
    def prefix(self) -> str:
        """The legible characters before the first obliterated one."""
        return self.pattern.split("?", 1)[0]

    @property
    def length(self) -> int | None:
        return len(self.pattern) if "?" in self.pattern or not self.partial else None

    @property
    def folded(self) -> str:
        return self.prefix.translate(_FOLD)

    @property
    def like(self) -> str:
        """The SQL ``LIKE`` pattern of the folded serials that fit: ``_`` for each
        obliterated character, ``%`` for an end of unknown length."""
        body = self.pattern.translate(_FOLD).replace("?", "_")
        return body if self.length is not None else body + "%"

    def fits(self, recorded_folded: str) -> bool:
        """True when a recorded (folded) serial agrees with every legible character."""
        if self.length is not None and len(recorded_folded) != self.length:
            return False
        if len(recorded_folded) < len(self.pattern):
            return False
        return all(
            c == "?" or c.translate(_FOLD) == r
            for c, r in zip(self.pattern, recorded_folded, strict=False)
        )


def read_serial(serial: str, partial: bool = False) -> Reading:
    """Parse a recorded serial: ``LE12***`` is a 7-character serial of which ``LE12`` is
    legible; ``partial=True`` says the unmarked end is missing (``LE12`` of unknown length)."""
    marked = _OBLITERATED.sub("?", serial.upper().strip())
    pattern = re.sub(r"[^0-9A-Z?]", "", marked)
    return Reading(pattern, partial or "?" in pattern)


def deletion_keys(folded: str) -> set[str]:
    """The folded serial and every string one deletion away from it."""
    if len(folded) < MIN_FUZZY:
        return {folded}
    return {folded} | {folded[:i] + folded[i + 1 :] for i in range(len(folded))}


def one_edit(a: str, b: str) -> tuple[str, int] | None:
    """``('substituted'|'missing'|'extra', position)`` when ``a`` (the reading) is one edit
    from ``b`` (the record); None when equal or further apart. Positions count from 1."""
    if a == b or abs(len(a) - len(b)) > 1:
        return None
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return ("substituted", i + 1) if a[i + 1 :] == b[i + 1 :] else None
    if len(a) < len(b):
        return ("missing", i + 1) if a[i:] == b[i + 1 :] else None
    return ("extra", i + 1) if a[i + 1 :] == b[i:] else None


def lookalikes(read: str, recorded: str) -> list[str]:
    """The look-alike differences between two serials that fold equal: ``['O→0 at 4']``."""
    return [
        f"{x}→{y} @{i + 1}" for i, (x, y) in enumerate(zip(read, recorded, strict=False)) if x != y
    ]
