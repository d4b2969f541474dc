"""The framework as one picture: the tree of goals → areas → objectives → commitments →
actions, what is overdue, the status counts per cooperation area, and each indicator's
current series (revisions resolved).

Invariant: ``Framework`` is a pure function of the records loaded (``items.load``):
it is rebuilt on every read and holds nothing of its own, so both secretariats see the
same picture once their feeds are in sync.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from puente.coordinate.items import (
    Decision,
    Indicator,
    Item,
    Loaded,
    Meeting,
    Milestone,
    Observation,
    number_key,
)
from puente.coordinate.periods import Period, sort_key
from puente.coordinate.vocab import LEVELS, STATUSES

ACTIONABLE = ("commitment", "action")


@dataclass(frozen=True)
class Conflict:
    """Two siblings with the same number (both sides numbered at once)."""

    parent: str
    number: str
    ids: tuple[str, ...]


class Framework:
    def __init__(self, loaded: Loaded, here: str) -> None:
        self.data = loaded
        self.here = here
        self._children: dict[str, list[Item]] = defaultdict(list)
        for item in loaded.items.values():
            parent = item.parent if item.parent in loaded.items else ""
            self._children[parent].append(item)
        for kids in self._children.values():
            kids.sort(key=lambda i: (number_key(i.number), i.id))

    @property
    def items(self) -> dict[str, Item]:
        return self.data.items

    @property
    def indicators(self) -> dict[str, Indicator]:
        return self.data.indicators

    def roots(self) -> list[Item]:
        return list(self._children.get("", []))

    def children(self, rid: str) -> list[Item]:
        return list(self._children.get(rid, []))

    def walk(self) -> list[tuple[int, Item]]:
        """Depth-first, in number order: ``(depth, item)``."""
        out: list[tuple[int, Item]] = []

        def visit(item: Item, depth: int) -> None:
            out.append((depth, item))
            for child in self.children(item.id):
                visit(child, depth + 1)

        for root in self.roots():
            visit(root, 0)
        return out

    def ancestor(self, item: Item, level: str) -> Item | None:
        seen: set[str] = set()
        current: Item | None = item
        while current is not None and current.id not in seen:
            if current.level == level:
                return current
            seen.add(current.id)
            current = self.items.get(current.parent)
        return None

    def actionable(self) -> list[Item]:
        return [i for _, i in self.walk() if i.level in ACTIONABLE]

    def overdue(self, on: date) -> list[Item]:
        """Commitments and actions due before ``on`` and not completed."""
        day = on.isoformat()
        return [i for i in self.actionable() if i.due and i.due < day and i.status != "completed"]

    def status_by_area(self) -> list[tuple[Item, dict[str, int]]]:
        """Per cooperation area: how many of its commitments/actions are at each status."""
        counts: dict[str, Counter[str]] = {}
        for item in self.actionable():
            area = self.ancestor(item, "area")
            if area is not None:
                counts.setdefault(area.id, Counter())[item.status] += 1
        areas = [i for _, i in self.walk() if i.level == "area"]
        return [(a, {s: counts.get(a.id, Counter())[s] for s in STATUSES}) for a in areas]

    def conflicts(self) -> list[Conflict]:
        out: list[Conflict] = []
        for parent, kids in self._children.items():
            by_number: dict[str, list[str]] = defaultdict(list)
            for kid in kids:
                by_number[kid.number].append(kid.id)
            out.extend(
                Conflict(parent, n, tuple(ids)) for n, ids in by_number.items() if len(ids) > 1
            )
        return out

    def next_number(self, parent: str) -> str:
        """The number a new child of ``parent`` gets: one past the highest sibling."""
        kids = self.children(parent)
        last = max((number_key(k.number)[-1] for k in kids if k.number), default=0)
        prefix = self.items[parent].number + "." if parent else ""
        return f"{prefix}{last + 1}"

    def milestones(self, rid: str) -> list[Milestone]:
        return sorted(
            (m for m in self.data.milestones if m.commitment == rid), key=lambda m: (m.due, m.id)
        )

    def evidence(self, rid: str) -> list[object]:
        return [e for e in self.data.evidence if e.commitment == rid]

    # --- indicators ----------------------------------------------------------------

    def observations(self, indicator: str) -> list[Observation]:
        return [o for o in self.data.observations if o.indicator == indicator]

    def current(self, indicator: str) -> dict[str, Observation]:
        """Per period, the value in force: observations nobody supersedes, the newest
        ``asOf`` (then the newest write) winning when both sides reported one."""
        obs = self.observations(indicator)
        superseded = {o.supersedes for o in obs if o.supersedes}
        best: dict[str, Observation] = {}
        for o in obs:
            if o.id in superseded:
                continue
            have = best.get(o.period)
            if have is None or (o.as_of, o.updated_at) > (have.as_of, have.updated_at):
                best[o.period] = o
        return dict(sorted(best.items(), key=lambda kv: sort_key(kv[0])))

    def series(self, indicator: str, until: Period | None = None) -> list[Observation]:
        """The current values in period order, up to the end of ``until``."""
        values = list(self.current(indicator).values())
        if until is None:
            return values
        return [o for o in values if sort_key(o.period)[1] <= until.end]

    def revisions(self, indicator: str, period: str) -> list[Observation]:
        """Every value ever given for one period, oldest first (the revision chain)."""
        chain = [o for o in self.observations(indicator) if o.period == period]
        return sorted(chain, key=lambda o: (o.as_of, o.updated_at))

    # --- meetings ------------------------------------------------------------------

    def meetings(self) -> list[Meeting]:
        return sorted(self.data.meetings.values(), key=lambda m: (m.date, m.id))

    def decisions(self, meeting: str) -> list[Decision]:
        found = [d for d in self.data.decisions if d.meeting == meeting]
        return sorted(found, key=lambda d: (number_key(d.number), d.id))


def level_of(parent: Item | None) -> tuple[str, ...]:
    """The levels a child of ``parent`` may have (roots are goals)."""
    if parent is None:
        return ("goal",)
    index = LEVELS.index(parent.level) if parent.level in LEVELS else len(LEVELS)
    return LEVELS[index + 1 : index + 2]
