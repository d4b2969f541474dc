"""The coordination dashboard: commitments by status, status per cooperation area (the
report's own SVG chart), overdue commitments, each indicator's latest value against its
baseline and target with its trend, the framework tree with each item's owner node,
re-evaluation of computed indicators and the bilingual PDF report for a chosen period.

Invariants: everything drawn comes from ``report.build`` for the signed-in user
(clearance-clamped and audited), and the page banner is computed over the markings of
all of it, as the PDF's banner is. The charts are drawn by ``coordinate.charts`` with
every text escaped, so they are shown without NiceGUI's sanitiser (which drops SVG).
"""

from __future__ import annotations

from datetime import UTC, datetime

from nicegui import ui

from puente.access import require_role
from puente.coordinate import charts, render
from puente.coordinate.evaluate import evaluate
from puente.coordinate.periods import Period
from puente.coordinate.report import Report, build
from puente.coordinate.vocab import STATUSES
from puente.web.layout import NavItem, PageCtx, page, register, work

ROLES = ("secretariat", "analyst", "releasing_officer")
register(NavItem("/ui/coordinate", "coordinate.web_nav", "flag", ROLES, 60))


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}".rstrip("0").rstrip(".")


@page("/ui/coordinate", "coordinate.web_nav")
async def coordinate_page(ctx: PageCtx) -> None:
    require_role(ctx.user, *ROLES)
    now = datetime.now(UTC).date()
    period = Period.containing(now, "quarterly").code
    with ui.row().classes("w-full items-end gap-4 p-4"):
        chosen = ui.input(ctx.t("coordinate.web_period"), value=period).props(
            'data-testid="coord-period" dense'
        )
        pdf_btn = ui.button(ctx.t("coordinate.web_report"), icon="picture_as_pdf")
        pdf_btn.props('data-testid="coord-pdf"')
        eval_btn = ui.button(ctx.t("coordinate.web_evaluate"), icon="refresh").props(
            'outline data-testid="coord-evaluate"'
        )
        eval_btn.set_visibility(ctx.user.has("secretariat"))
    body = ui.column().classes("w-full px-4 gap-4").props('data-testid="coord-body"')

    async def draw() -> None:
        built = await work(build, ctx.node, ctx.user, chosen.value or period, ctx.lang)
        body.clear()
        with body:
            _draw(ctx, built)
        ctx.screen.show("coordinate", built.markings)

    async def download() -> None:
        built = await work(build, ctx.node, ctx.user, chosen.value or period, ctx.lang)
        data = await work(render.pdf, built)
        ui.download(data, f"report-{built.period.code}-{ctx.lang}.pdf", "application/pdf")

    async def reevaluate() -> None:
        done = await work(evaluate, ctx.node, ctx.user)
        ui.notify(ctx.t("coordinate.web_evaluated", count=len(done)))
        await draw()

    chosen.on("keydown.enter", ctx.guard(draw))
    pdf_btn.on_click(ctx.guard(download))
    eval_btn.on_click(ctx.guard(reevaluate))
    await draw()


def _draw(ctx: PageCtx, r: Report) -> None:
    if not r.frame.items and not r.frame.indicators:
        ui.label(ctx.t("coordinate.web_empty"))
        return
    with ui.row().classes("gap-4"):
        for s in STATUSES:
            with ui.card().props(f'data-testid="coord-total-{s}"'):
                ui.label(ctx.t(f"coordinate.status_{s}")).classes("text-caption")
                ui.label(str(r.totals[s])).classes("text-h5")
    ui.label(ctx.t("coordinate.report_status")).classes("text-h6")
    legend = {s: ctx.t(f"coordinate.status_{s}") for s in STATUSES}
    rows = [(f"{a.number} {a.text(ctx.lang)}", c) for a, c in r.areas]
    ui.html(charts.status_bars(rows, legend), sanitize=False).props(
        'data-testid="coord-status-chart"'
    )
    ui.label(ctx.t("coordinate.report_overdue", count=len(r.overdue))).classes("text-h6")
    _table(ctx, "coord-overdue", ["number", "title", "origin", "due", "status"], [
        {"number": i.number, "title": i.text(ctx.lang), "origin": i.origin, "due": i.due,
         "status": ctx.t(f"coordinate.status_{i.status}")} for i in r.overdue
    ])  # fmt: skip
    ui.label(ctx.t("coordinate.report_indicators")).classes("text-h6")
    _table(ctx, "coord-indicators", ["indicator", "value", "period", "baseline", "target",
                                     "state", "origin"], [
        {"indicator": f"{x.indicator.code} {x.indicator.text(ctx.lang)}",
         "value": _num(x.value.value if x.value else None),
         "period": x.value.period if x.value else "—", "baseline": _num(x.baseline),
         "target": _num(x.indicator.target), "state": ctx.t(f"coordinate.state_{x.state}"),
         "origin": x.indicator.origin} for x in r.indicators
    ])  # fmt: skip
    for x in r.indicators:
        if len(x.series) > 1:
            ui.label(f"{x.indicator.code} — {x.indicator.text(ctx.lang)}").classes("text-subtitle2")
            ui.html(charts.trend([o.period for o in x.series], [o.value for o in x.series],
                                 target=x.indicator.target, baseline=x.baseline,
                                 target_label=ctx.t("coordinate.col_target"),
                                 baseline_label=ctx.t("coordinate.col_baseline")),
                    sanitize=False)  # fmt: skip
    ui.label(ctx.t("coordinate.web_framework")).classes("text-h6")
    _table(ctx, "coord-tree", ["number", "title", "status", "due", "origin", "owner"], [
        {"number": i.number, "title": "  " * d + i.text(ctx.lang),
         "status": ctx.t(f"coordinate.status_{i.status}")
         if i.level in ("commitment", "action") else "",
         "due": i.due, "origin": i.origin,
         "owner": "; ".join(f"{c} {a}".strip() for c, a in i.owners)}
        for d, i in r.frame.walk()
    ])  # fmt: skip


def _table(ctx: PageCtx, testid: str, cols: list[str], rows: list[dict[str, str]]) -> None:
    columns = [
        {"name": c, "label": ctx.t(f"coordinate.col_{c}"), "field": c, "align": "left"}
        for c in cols
    ]
    for n, row in enumerate(rows):
        row["key"] = str(n)
    table = ui.table(columns=columns, rows=rows, row_key="key").classes("w-full")
    table.props(f'dense flat bordered data-testid="{testid}" :pagination="{{rowsPerPage: 0}}"')
    table.props(f'no-data-label="{ctx.t("web.no_data")}"')
