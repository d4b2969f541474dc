"""The coordination vocabulary: framework levels, the four-level status, indicator kinds
and directions, and the record schemata that carry the framework between nodes.

Invariant: every value written to a framework record's ``level``, ``status``, ``kind``,
``direction`` or ``periodicity`` is one of these codes (the write paths check with
``check``); the catalogue (``coordinate.yaml``) has an ``es``/``en`` label for each.
"""

from __future__ import annotations

from collections.abc import Sequence

from puente.coordinate.periods import PERIODICITIES
from puente.errors import InvalidInput

LEVELS = ("goal", "area", "objective", "commitment", "action")
STATUSES = ("not_started", "limited", "substantial", "completed")
KINDS = ("computed", "reported")
DIRECTIONS = ("increase", "decrease", "maintain")
SCHEMATA = (
    "Commitment",
    "Milestone",
    "Evidence",
    "Indicator",
    "Observation",
    "Meeting",
    "Decision",
)
VOCAB: dict[str, Sequence[str]] = {
    "level": LEVELS,
    "status": STATUSES,
    "kind": KINDS,
    "direction": DIRECTIONS,
    "periodicity": PERIODICITIES,
}


def check(field: str, value: str) -> str:
    """``value`` normalised (lower case, ``-`` and spaces as ``_``) if it is a known code."""
    code = (value or "").strip().lower().replace("-", "_").replace(" ", "_")
    if code not in VOCAB[field]:
        raise InvalidInput(
            "coordinate.bad_code",
            field=field,
            value=str(value)[:40],
            allowed=", ".join(VOCAB[field]),
        )
    return code


def label(field: str, code: str, lang: str) -> str:
    from puente.i18n import t

    return t(f"coordinate.{field}_{code}", lang)
