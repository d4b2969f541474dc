"""Charts as inline SVG, written by hand: an indicator's trend against its target and
baseline, and the status of the commitments of each cooperation area.

Invariant: every chart is a pure function of its inputs and every text in it is
escaped; the SVG needs no script, font file or network, so it renders the same in the
browser, in the HTML report and in WeasyPrint's PDF (where its text stays searchable).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

COLOURS = {
    "not_started": "#9e9e9e",
    "limited": "#e53935",
    "substantial": "#fb8c00",
    "completed": "#43a047",
}
LINE = "#1565c0"
TARGET = "#2e7d32"
BASE = "#757575"


def _fmt(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.1f}".rstrip("0").rstrip(".")


def trend(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    target: float | None = None,
    baseline: float | None = None,
    target_label: str = "target",
    baseline_label: str = "baseline",
    width: int = 520,
    height: int = 180,
) -> str:
    """A line of ``values`` over ``labels`` with dashed target and dotted baseline."""
    left, right, top, bottom = 56, 12, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    refs = [v for v in (target, baseline) if v is not None]
    lo = min([0.0, *values, *refs])
    hi = max([1.0, *values, *refs])
    span = (hi - lo) or 1.0

    def y(v: float) -> float:
        return top + plot_h - (v - lo) / span * plot_h

    def x(i: int) -> float:
        return left + (plot_w * i / (len(values) - 1) if len(values) > 1 else plot_w / 2)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" class="chart">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="#bbb"/>',
        f'<text x="{left - 4}" y="{y(hi) + 4:.1f}" text-anchor="end" '
        f'font-size="9">{_fmt(hi)}</text>',
        f'<text x="{left - 4}" y="{y(lo):.1f}" text-anchor="end" font-size="9">{_fmt(lo)}</text>',
    ]
    for value, colour, dash, name in (
        (target, TARGET, "6 3", target_label),
        (baseline, BASE, "2 3", baseline_label),
    ):
        if value is not None:
            parts.append(
                f'<line x1="{left}" y1="{y(value):.1f}" x2="{left + plot_w}" y2="{y(value):.1f}" '
                f'stroke="{colour}" stroke-dasharray="{dash}"/>'
                f'<text x="{left + plot_w}" y="{y(value) - 3:.1f}" text-anchor="end" '
                f'font-size="9" fill="{colour}">{escape(name)} {_fmt(value)}</text>'
            )
    if values:
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{LINE}" stroke-width="2"/>')
        for i, v in enumerate(values):
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5" fill="{LINE}"/>')
        last = len(values) - 1
        parts.append(
            f'<text x="{x(last):.1f}" y="{y(values[last]) - 6:.1f}" text-anchor="end" '
            f'font-size="10" fill="{LINE}">{_fmt(values[last])}</text>'
        )
        for i in sorted({0, last}):
            anchor = "start" if i == 0 and last else "end"
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - 8}" text-anchor="{anchor}" '
                f'font-size="9">{escape(labels[i])}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def status_bars(
    rows: Sequence[tuple[str, dict[str, int]]],
    legend: dict[str, str],
    *,
    width: int = 520,
) -> str:
    """One horizontal bar per area, split by status, with a legend."""
    label_w, bar_h, gap, top = 190, 14, 6, 22
    plot_w = width - label_w - 40
    height = top + len(rows) * (bar_h + gap) + 8
    most = max([1, *(sum(c.values()) for _, c in rows)])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" class="chart">'
    ]
    lx = 0.0
    for status, colour in COLOURS.items():
        parts.append(
            f'<rect x="{lx:.1f}" y="2" width="10" height="10" fill="{colour}"/>'
            f'<text x="{lx + 13:.1f}" y="11" font-size="9">{escape(legend[status])}</text>'
        )
        lx += 15 + 6 * len(legend[status]) + 10
    for n, (name, counts) in enumerate(rows):
        y = top + n * (bar_h + gap)
        short = name if len(name) <= 34 else name[:33] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar_h - 3}" text-anchor="end" '
            f'font-size="9">{escape(short)}</text>'
        )
        x = float(label_w)
        for status, colour in COLOURS.items():
            count = counts.get(status, 0)
            if count:
                w = plot_w * count / most
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}"/>'
                    f'<text x="{x + w / 2:.1f}" y="{y + bar_h - 3}" text-anchor="middle" '
                    f'font-size="9" fill="#fff">{count}</text>'
                )
                x += w
    parts.append("</svg>")
    return "".join(parts)
