"""The progress report's content for one period: what the group asked for — indicator
values against baselines and targets, the status of the commitments of each area, what
is overdue, the meetings and their decisions — with a fixed cut-off at the period's end.

Invariants: a report contains only records the requesting user may read (it is built
from ``writes.snapshot``); its classification banner is ``banner_for`` over every record
it shows, so a report that shows a confidential commitment is marked confidential; an
indicator with no value for the period says so — it is never shown as zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from puente.coordinate.items import Decision, Held, Indicator, Item, Meeting, Observation
from puente.coordinate.periods import Period, sort_key
from puente.coordinate.tree import Framework
from puente.coordinate.writes import snapshot
from puente.model.markings import Markings, banner_for
from puente.node import Node
from puente.store.users import User

TREND = 24  # periods drawn in an indicator's chart


@dataclass(frozen=True)
class IndicatorLine:
    indicator: Indicator
    series: list[Observation]
    value: Observation | None  # the value for the report's period, or the latest before
    baseline: float | None
    progress: float | None  # share of the way from baseline to target, in %
    state: str  # met | on_track | off_track | no_target | no_data
    revisions: int  # values for this period that were later revised


@dataclass
class Report:
    lang: str
    period: Period
    country: str
    generated_at: str
    cutoff: date
    frame: Framework
    areas: list[tuple[Item, dict[str, int]]]
    overdue: list[Item]
    indicators: list[IndicatorLine]
    meetings: list[tuple[Meeting, list[Decision]]]
    totals: dict[str, int]
    shown: list[Held] = field(default_factory=list)

    @property
    def banner(self) -> str:
        return banner_for(self.markings, self.lang)

    @property
    def markings(self) -> list[Markings]:
        return [h.markings for h in self.shown]


def _state(ind: Indicator, value: float | None, baseline: float | None) -> tuple[str, float | None]:
    if value is None:
        return "no_data", None
    if ind.target is None:
        return "no_target", None
    target = ind.target
    if (ind.direction == "decrease" and value <= target) or (
        ind.direction != "decrease" and value >= target
    ):
        return "met", 100.0
    if baseline is None or baseline == target:
        return "off_track", None
    progress = max(0.0, min(100.0, (value - baseline) / (target - baseline) * 100.0))
    return ("on_track" if progress >= 50.0 else "off_track"), round(progress, 1)


def indicator_line(frame: Framework, ind: Indicator, period: Period) -> IndicatorLine:
    series = frame.series(ind.id, period)[-TREND:]
    inside = [o for o in series if Period.parse(o.period).within(period)]
    value = inside[-1] if inside else (series[-1] if series else None)
    baseline = ind.baseline
    if baseline is None and ind.baseline_period:
        found = frame.current(ind.id).get(ind.baseline_period)
        baseline = found.value if found else None
    state, progress = _state(ind, value.value if value else None, baseline)
    revisions = 0
    if value is not None:
        revisions = len(frame.revisions(ind.id, value.period)) - 1
    return IndicatorLine(ind, series, value, baseline, progress, state, revisions)


def build(node: Node, user: User, period: str, lang: str) -> Report:
    p = Period.parse(period)
    frame = snapshot(node, user)
    today = datetime.now(UTC).date()
    cutoff = min(p.last_day, today)
    indicators = sorted(frame.indicators.values(), key=lambda i: (i.code, i.id))
    lines = [indicator_line(frame, ind, p) for ind in indicators]
    meetings = [
        (m, frame.decisions(m.id))
        for m in frame.meetings()
        if m.date and p.start.isoformat() <= m.date[:10] <= p.last_day.isoformat()
    ]
    actionable = frame.actionable()
    totals = {s: sum(1 for i in actionable if i.status == s) for s in
              ("not_started", "limited", "substantial", "completed")}  # fmt: skip
    shown: list[Held] = [i for _, i in frame.walk()]
    shown += [line.indicator for line in lines]
    shown += [o for line in lines for o in line.series]
    shown += [m for m, _ in meetings] + [d for _, ds in meetings for d in ds]
    return Report(
        lang=lang,
        period=p,
        country=node.country,
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        cutoff=cutoff,
        frame=frame,
        areas=frame.status_by_area(),
        overdue=frame.overdue(p.end if p.end <= today else today),
        indicators=lines,
        meetings=meetings,
        totals=totals,
        shown=shown,
    )


def periods_in(series: list[Observation]) -> list[str]:
    return sorted({o.period for o in series}, key=sort_key)
