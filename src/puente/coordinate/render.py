"""The progress report as HTML (one self-contained file: inline CSS and SVG) and PDF
(WeasyPrint, from the same HTML), in Spanish or English.

Invariants: every text comes from the catalogue or from the records themselves (in the
report's language where the record has both), every value is escaped, and the
classification banner is printed at the top and bottom of every page.
"""

from __future__ import annotations

from html import escape

from puente.coordinate import charts
from puente.coordinate.report import IndicatorLine, Report
from puente.coordinate.vocab import STATUSES
from puente.i18n import t

CSS = """
@page { size: A4; margin: 22mm 16mm 20mm 16mm;
  @top-center { content: "%(banner)s"; font: bold 9pt sans-serif; color: #b71c1c; }
  @bottom-center { content: "%(banner)s"; font: bold 9pt sans-serif; color: #b71c1c; }
  @bottom-right { content: counter(page) " / " counter(pages); font: 8pt sans-serif; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; color: #212121; }
h1 { font-size: 17pt; margin: 0 0 4pt 0; } h2 { font-size: 13pt; margin-top: 16pt;
  border-bottom: 1px solid #90a4ae; } h3 { font-size: 10.5pt; margin: 10pt 0 2pt 0; }
.banner { text-align: center; font-weight: bold; color: #b71c1c; }
table { border-collapse: collapse; width: 100%%; margin: 4pt 0; }
th, td { border: 1px solid #cfd8dc; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background: #eceff1; } .num { text-align: right; } .muted { color: #757575; }
.indicator { page-break-inside: avoid; } .depth1 { padding-left: 10pt; }
.depth2 { padding-left: 20pt; } .depth3 { padding-left: 30pt; } .depth4 { padding-left: 40pt; }
table.ind td:first-child { width: 46%%; }
.state-met, .state-on_track { color: #2e7d32; } .state-off_track { color: #c62828; }
"""


def _num(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if abs(value) >= 1000 or value == int(value) else f"{value:,.2f}"


class _Page:
    def __init__(self, report: Report) -> None:
        self.r = report
        self.lang = report.lang
        self.out: list[str] = []

    def t(self, key: str, **params: object) -> str:
        return escape(t(key, self.lang, **params))

    def add(self, html: str) -> None:
        self.out.append(html)

    def header(self) -> None:
        r = self.r
        self.add(f'<p class="banner">{escape(r.banner)}</p>')
        self.add(f"<h1>{self.t('coordinate.report_title', period=r.period.code)}</h1>")
        self.add(
            '<p class="muted">'
            + self.t(
                "coordinate.report_meta",
                node=r.country,
                at=r.generated_at,
                cutoff=r.cutoff.isoformat(),
            )
            + "</p>"
        )
        totals = ", ".join(
            f"{escape(t('coordinate.status_' + s, self.lang))}: {r.totals[s]}" for s in STATUSES
        )
        self.add(f"<p>{self.t('coordinate.report_totals')} {totals}</p>")

    def status(self) -> None:
        r = self.r
        self.add(f"<h2>{self.t('coordinate.report_status')}</h2>")
        legend = {s: t(f"coordinate.status_{s}", self.lang) for s in STATUSES}
        rows = [(f"{a.number} {a.text(self.lang)}", counts) for a, counts in r.areas]
        self.add(charts.status_bars(rows, legend))

    def overdue(self) -> None:
        r = self.r
        self.add(f"<h2>{self.t('coordinate.report_overdue', count=len(r.overdue))}</h2>")
        if not r.overdue:
            self.add(f"<p>{self.t('coordinate.report_none_overdue')}</p>")
            return
        head = "".join(
            f"<th>{self.t(k)}</th>"
            for k in ("coordinate.col_number", "coordinate.col_title", "coordinate.col_owner",
                      "coordinate.col_due", "coordinate.col_status")
        )  # fmt: skip
        self.add(f"<table><tr>{head}</tr>")
        for item in r.overdue:
            owners = "; ".join(f"{c} {a}".strip() for c, a in item.owners) or item.origin
            self.add(
                f"<tr><td>{escape(item.number)}</td><td>{escape(item.text(self.lang))}</td>"
                f"<td>{escape(owners)}</td><td>{escape(item.due)}</td>"
                f"<td>{self.t('coordinate.status_' + item.status)}</td></tr>"
            )
        self.add("</table>")

    def indicators(self) -> None:
        self.add(f"<h2>{self.t('coordinate.report_indicators')}</h2>")
        keys = ("coordinate.col_indicator", "coordinate.col_value", "coordinate.col_period",
                "coordinate.col_baseline", "coordinate.col_target",
                "coordinate.col_state")  # fmt: skip
        self.add(
            '<table class="ind"><tr>' + "".join(f"<th>{self.t(k)}</th>" for k in keys) + "</tr>"
        )
        for line in self.r.indicators:
            self.summary(line)
        self.add("</table>")
        for line in self.r.indicators:
            if len(line.series) > 1:
                self.trend(line)

    def summary(self, line: IndicatorLine) -> None:
        ind, value = line.indicator, line.value
        kind = self.t(f"coordinate.kind_{ind.kind}") if ind.kind in ("computed", "reported") else ""
        target = _num(ind.target) + (f" ({escape(ind.target_period)})" if ind.target_period else "")
        state = (
            f'<span class="state-{line.state}">{self.t("coordinate.state_" + line.state)}</span>'
        )
        if line.progress is not None:
            state += f" ({line.progress:.0f} %)"
        if line.revisions:
            revised = f"{self.t('coordinate.col_revisions')}: {line.revisions}"
            state += f'<br><span class="muted">{revised}</span>'
        self.add(
            f"<tr><td><b>{escape(ind.code)}</b> {escape(ind.text(self.lang))}"
            f'<br><span class="muted">{escape(ind.unit)} · {kind} · '
            f"{escape(ind.origin)}</span></td>"
            f'<td class="num">{_num(value.value) if value else "—"}</td>'
            f"<td>{escape(value.period) if value else '—'}</td>"
            f'<td class="num">{_num(line.baseline)}</td><td class="num">{target}</td>'
            f"<td>{state}</td></tr>"
        )

    def trend(self, line: IndicatorLine) -> None:
        ind, lang = line.indicator, self.lang
        self.add('<div class="indicator">')
        self.add(f"<h3>{escape(ind.code)} — {escape(ind.text(lang))}</h3>")
        if ind.definition.get(lang):
            self.add(f'<p class="muted">{escape(ind.definition[lang])}</p>')
        self.add(
            charts.trend(
                [o.period for o in line.series],
                [o.value for o in line.series],
                target=ind.target,
                baseline=line.baseline,
                target_label=t("coordinate.col_target", lang),
                baseline_label=t("coordinate.col_baseline", lang),
            )
        )
        if line.value is not None:
            source = f"{line.value.source} ({line.value.as_of})"
            self.add(f'<p class="muted">{self.t("coordinate.col_source")}: {escape(source)}</p>')
        self.add("</div>")

    def framework(self) -> None:
        self.add(f"<h2>{self.t('coordinate.report_framework')}</h2><table>")
        head = "".join(
            f"<th>{self.t(k)}</th>"
            for k in ("coordinate.col_number", "coordinate.col_title", "coordinate.col_owner",
                      "coordinate.col_due", "coordinate.col_status")
        )  # fmt: skip
        self.add(f"<tr>{head}</tr>")
        for depth, item in self.r.frame.walk():
            owners = "; ".join(f"{c} {a}".strip() for c, a in item.owners)
            status = (
                self.t("coordinate.status_" + item.status)
                if item.level in ("commitment", "action")
                else ""
            )
            self.add(
                f'<tr><td>{escape(item.number)}</td><td class="depth{min(depth, 4)}">'
                f"{escape(item.text(self.lang))}</td><td>{escape(owners)}</td>"
                f"<td>{escape(item.due)}</td><td>{status}</td></tr>"
            )
        self.add("</table>")

    def meetings(self) -> None:
        self.add(f"<h2>{self.t('coordinate.report_meetings')}</h2>")
        if not self.r.meetings:
            self.add(f"<p>{self.t('coordinate.report_no_meetings')}</p>")
        for meeting, decisions in self.r.meetings:
            title = meeting.title.get(self.lang) or meeting.title["es"]
            self.add(f"<h3>{escape(meeting.date)} — {escape(title)}</h3>")
            agenda = meeting.agenda.get(self.lang) or meeting.agenda["es"]
            if agenda:
                self.add("<ol>" + "".join(f"<li>{escape(a)}</li>" for a in agenda) + "</ol>")
            for d in decisions:
                made = [
                    self.r.frame.items[c].number
                    for c in (*d.creates, *d.changes)
                    if c in self.r.frame.items
                ]
                extra = (
                    f" ({self.t('coordinate.report_commitments')} {escape(', '.join(made))})"
                    if made
                    else ""
                )
                self.add(f"<p>{self.t('coordinate.report_decision', number=d.number)} "
                         f"{escape(d.text.get(self.lang) or d.text['es'])}{extra}</p>")  # fmt: skip


def html(report: Report) -> str:
    page = _Page(report)
    page.header()
    page.status()
    page.overdue()
    page.indicators()
    page.meetings()
    page.framework()
    page.add(f'<p class="banner">{escape(report.banner)}</p>')
    css = CSS % {"banner": report.banner.replace('"', "'")}
    title = escape(t("coordinate.report_title", report.lang, period=report.period.code))
    return (
        f'<!DOCTYPE html><html lang="{report.lang}"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{css}</style></head><body>"
        + "".join(page.out)
        + "</body></html>"
    )


def pdf(report: Report) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]  # ships no type information

    data: bytes = HTML(string=html(report)).write_pdf()
    return data
