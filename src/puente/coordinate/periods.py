"""Reporting periods: ``2026`` (a year), ``2026-Q1`` (a quarter), ``2026-03`` (a month).

A period is a half-open range of calendar dates ``[start, end)``; comparing it with the
store's ISO-8601 UTC text timestamps is a string comparison (``start <= ts < end``),
identical on both backends. Invariant: ``Period.parse(p.code) == p`` for every period,
and the periods of one periodicity tile the calendar without gaps or overlaps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from puente.errors import InvalidInput

PERIODICITIES = ("monthly", "quarterly", "annual")
_FORMS = re.compile(r"^(\d{4})(?:-(Q[1-4]|\d{2}))?$")


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date  # exclusive
    code: str

    @classmethod
    def parse(cls, text: str) -> Period:
        raw = (text or "").strip().upper()
        m = _FORMS.match(raw)
        if m is None or not 1900 <= int(m.group(1)) <= 2200:
            raise InvalidInput("coordinate.bad_period", value=str(text)[:40])
        year, part = int(m.group(1)), m.group(2)
        if part is None:
            return cls(date(year, 1, 1), date(year + 1, 1, 1), f"{year}")
        if part.startswith("Q"):
            q = int(part[1])
            return cls(_month(year, 3 * q - 2), _month(year, 3 * q + 1), f"{year}-Q{q}")
        month = int(part)
        if not 1 <= month <= 12:
            raise InvalidInput("coordinate.bad_period", value=str(text)[:40])
        return cls(_month(year, month), _month(year, month + 1), f"{year}-{month:02d}")

    @classmethod
    def containing(cls, day: date, periodicity: str) -> Period:
        if periodicity == "monthly":
            return cls.parse(f"{day.year}-{day.month:02d}")
        if periodicity == "quarterly":
            return cls.parse(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
        if periodicity == "annual":
            return cls.parse(str(day.year))
        raise InvalidInput("coordinate.bad_periodicity", value=periodicity)

    @property
    def kind(self) -> str:
        if "-Q" in self.code:
            return "quarterly"
        return "monthly" if "-" in self.code else "annual"

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.end.toordinal() - 1)

    def previous(self) -> Period:
        return Period.containing(date.fromordinal(self.start.toordinal() - 1), self.kind)

    def within(self, other: Period) -> bool:
        return other.start <= self.start and self.end <= other.end

    def split(self, periodicity: str) -> list[Period]:
        """The periods of ``periodicity`` that start inside this one, in order."""
        out: list[Period] = []
        current = Period.containing(self.start, periodicity)
        while current.start < self.end:
            if current.start >= self.start:
                out.append(current)
            current = Period.containing(current.end, periodicity)
        return out

    def __str__(self) -> str:
        return self.code


def _month(year: int, month: int) -> date:
    """The first day of ``month`` (13 is January of the next year)."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, 1)


def sort_key(code: str) -> tuple[date, date]:
    """Order period codes by start, then by length (a month before its quarter)."""
    try:
        p = Period.parse(code)
    except InvalidInput:
        return (date.max, date.max)
    return (p.start, p.end)
