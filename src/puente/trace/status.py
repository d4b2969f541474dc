"""The status of a trace item and of a request, and the moves allowed between them.

``sent`` (requester stored it and posted it) → ``received`` (the partner stored it) →
``in_progress`` (matching) → ``completed`` (first purchase found with confidence),
``no_record`` (no acquisition fits) or ``partial`` (candidates, none certain). A finished
item may be processed again (new acquisitions loaded): it goes back to ``in_progress``.

Invariant: ``advance`` is the only way a stored status changes; it refuses any other
move with ``Conflict``, so a stale answer can never turn a finished item back to ``sent``.
"""

from __future__ import annotations

from collections.abc import Iterable

from puente.errors import Conflict

STATUSES = ("sent", "received", "in_progress", "completed", "no_record", "partial")
FINISHED = frozenset({"completed", "no_record", "partial"})
_MOVES: dict[str, frozenset[str]] = {
    "sent": frozenset({"received", "in_progress"}) | FINISHED,
    "received": frozenset({"in_progress"}) | FINISHED,
    "in_progress": FINISHED,
    **{s: frozenset({"in_progress"}) | FINISHED for s in FINISHED},
}


def can_advance(current: str, new: str) -> bool:
    return new == current or new in _MOVES.get(current, frozenset())


def advance(current: str, new: str) -> str:
    if not can_advance(current, new):
        raise Conflict("trace.bad_transition", current=current, new=new)
    return new


def overall(statuses: Iterable[str]) -> str:
    """A request's status from its items': the least advanced while any is unfinished;
    once all are finished, the common status, or ``partial`` when they differ."""
    seen = list(statuses)
    if not seen:
        return "sent"
    pending = [s for s in seen if s not in FINISHED]
    if pending:
        return min(pending, key=STATUSES.index)
    return seen[0] if len(set(seen)) == 1 else "partial"
