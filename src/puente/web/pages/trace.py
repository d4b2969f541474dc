"""Firearm tracing: trace every gun of a seizure (a Recovery record) with a partner,
follow a request's status, read the released results — dealer, first purchase, time to
crime and the flags (short time to crime, multiple sale, purchaser linked or already
known through a hit) — and ask step 2 for a held purchaser; on the answering side, match
what partners sent and let the releasing officer decide step-2 requests; the tracing
indicators for both sides.

Invariants: every action goes through ``puente.trace`` (roles and audit applied there,
as for the API and CLI); the seizure is read through ``access.read_record`` and the
banner covers its markings and those of every purchaser the partner released.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from nicegui import ui

from puente import access
from puente.errors import Forbidden, NotFound
from puente.model.markings import Markings
from puente.trace import inbound, indicators, requests, seizure, step2
from puente.web import fmt
from puente.web.layout import NavItem, PageCtx, page, register, work

ROLES = ("analyst", "releasing_officer")
register(NavItem("/ui/trace", "webtrace.nav_trace", "gps_fixed", ROLES, 46))
COLS = ("item", "status", "firearm", "dealer", "purchase", "ttc", "flags", "purchaser")


@page("/ui/trace", "webtrace.nav_trace")
async def trace_page(ctx: PageCtx) -> None:
    access.require_role(ctx.user, *ROLES)
    with ui.column().classes("w-full p-4 gap-4"):
        if ctx.user.has("analyst"):
            _request_form(ctx)
            if ctx.param("id"):
                await _results(ctx, ctx.param("id"))
        await _inbound(ctx)
        await _indicators(ctx)


def _request_form(ctx: PageCtx) -> None:
    partners = sorted(ctx.node.partners())
    with ui.card().classes("w-full"):
        ui.label(ctx.t("webtrace.trace_title")).classes("text-h6")
        with ui.row().classes("items-end gap-2"):
            recovery = ui.input(ctx.t("webtrace.recovery"), value=ctx.param("recovery"))
            recovery.classes("min-w-80").props('data-testid="trace-recovery"')
            partner = ui.select(
                partners, value=partners[0] if partners else None, label=ctx.t("webtrace.partner")
            ).props('data-testid="trace-partner"')
            send = ui.button(ctx.t("webtrace.trace_send"), icon="send")
            send.props('data-testid="trace-send"')
            opened = ui.input(ctx.t("webtrace.trace_open")).props('data-testid="trace-open"')

    async def do_send() -> None:
        code, rec = str(partner.value or ""), (recovery.value or "").strip()
        rows = await work(seizure.from_recovery, ctx.node, ctx.user, rec, code)
        view = await work(requests.create, ctx.node, ctx.user, code, list(rows), rec)
        ui.navigate.to("/ui/trace?id=" + quote(view["request"], safe=""))

    send.on_click(ctx.guard(do_send))
    opened.on(
        "keydown.enter",
        lambda: ui.navigate.to("/ui/trace?id=" + quote((opened.value or "").strip(), safe="")),
    )


def _flags(ctx: PageCtx, res: dict[str, Any]) -> str:
    flags = res.get("flags") or {}
    out = [
        ctx.t("trace.flag_" + k) for k in ("short_time_to_crime", "multiple_sale") if flags.get(k)
    ]
    if flags.get("purchaser_linked"):
        out.append(ctx.t("trace.flag_purchaser_linked", count=flags["purchaser_linked"]))
    if flags.get("purchaser_known_by_hit"):
        out.append(ctx.t("trace.flag_known_by_hit"))
    return "; ".join(out)


def _item_row(ctx: PageCtx, it: dict[str, Any]) -> dict[str, Any]:
    res, gun = it["result"], it["firearm"]
    dealer, buyer = res.get("dealer") or {}, res.get("purchaser") or {}
    who = buyer.get("name") or (ctx.t("trace.purchaser_held") if res.get("purchaser_held") else "")
    ttc = res.get("time_to_crime_days")
    return {
        "item": it["item"],
        "status": ctx.t("trace.status_" + it["status"]),
        "firearm": f"{gun.get('make', '')} {gun.get('model', '')} {gun.get('serial', '')}",
        "dealer": f"{dealer.get('name', '')} {dealer.get('state', '')}".strip(),
        "purchase": fmt_day(ctx, res.get("purchase_date", "")),
        "ttc": "" if ttc in (None, "") else str(ttc),
        "flags": _flags(ctx, res),
        "purchaser": who,
        "held": bool(res.get("purchaser_held")) and not buyer.get("name"),
    }


def fmt_day(ctx: PageCtx, value: Any) -> str:
    return fmt.day(str(value or ""), ctx.lang)


async def _results(ctx: PageCtx, rid: str) -> None:
    with ui.card().classes("w-full").props('data-testid="trace-request"'):
        head = ui.label().classes("text-h6").props('data-testid="trace-head"')
        refresh = ui.button(ctx.t("webtrace.trace_refresh"), icon="sync")
        refresh.props('outline data-testid="trace-refresh"')
        columns = [
            {"name": c, "label": ctx.t("trace.col_" + c), "field": c, "align": "left"} for c in COLS
        ]
        table = ui.table(columns=columns, rows=[], row_key="item").classes("w-full")
        table.props('dense flat bordered data-testid="trace-results"')
        table.props(f'no-data-label="{ctx.t("web.no_data")}"')
        steps = ui.column().classes("w-full gap-1")

    def draw(view: dict[str, Any]) -> None:
        head.set_text(
            ctx.t(
                "trace.sent",
                id=view["request"],
                partner=view["partner"],
                items=len(view["items"]),
                status=ctx.t("trace.status_" + view["status"]),
            )
        )
        rows = [_item_row(ctx, it) for it in view["items"]]
        table.rows = rows
        table.update()
        steps.clear()
        with steps:
            for row in (r for r in rows if r["held"]):
                with ui.row().classes("items-end gap-2 w-full"):
                    why = ui.input(ctx.t("webtrace.step2_why", item=row["item"])).classes("grow")
                    ui.button(
                        ctx.t("webtrace.step2_send"),
                        on_click=ctx.guard(lambda n=row["item"], w=why: ask2(n, w.value)),
                    )
        marks = [
            Markings.parse(it["result"]["purchaser"]["markings"], originator=view["partner"])
            for it in view["items"]
            if (it["result"].get("purchaser") or {}).get("markings")
        ]
        ctx.screen.show("trace-results", marks)

    async def ask2(item: int, why: str) -> None:
        got = await work(requests.step2, ctx.node, ctx.user, rid, item, why or "")
        ui.notify(ctx.t("trace.step2_state", id=rid, item=item, step2=got.get("step2", "")))

    async def do_refresh() -> None:
        draw(await work(requests.refresh, ctx.node, ctx.user, rid))

    refresh.on_click(ctx.guard(do_refresh))
    view = await work(requests.results, ctx.node, ctx.user, rid)
    await _seizure_marks(ctx, str(view.get("seizure") or ""))
    draw(view)


async def _seizure_marks(ctx: PageCtx, rec: str) -> None:
    if not rec:
        return
    try:
        record = await work(access.read_record, ctx.node, ctx.user, rec)
    except (Forbidden, NotFound):
        return
    ctx.screen.show("trace-seizure", [record.markings])


async def _inbound(ctx: PageCtx) -> None:
    rows = await work(inbound.pending, ctx.node, ctx.user)
    if not rows:
        return
    with ui.card().classes("w-full").props('data-testid="trace-inbound"'):
        with ui.row().classes("items-center gap-2"):
            ui.label(ctx.t("webtrace.trace_inbound")).classes("text-h6")
            process = ui.button(ctx.t("webtrace.trace_process"), icon="play_arrow")
            process.props('outline data-testid="trace-process"')
            process.set_visibility(ctx.user.has("analyst"))  # matching is an analyst's task
        for r in rows:
            text = f"{r['request']} / {r['item']} — {r['partner']} — " + ctx.t(
                "trace.status_" + r["status"]
            )
            with ui.row().classes("items-center gap-2"):
                ui.label(
                    text + (f" — {ctx.t('trace.col_step2')}: {r['step2']}" if r["step2"] else "")
                )
                if r["step2"] == "requested" and ctx.user.has("releasing_officer"):
                    for ok, word in ((True, "webtrace.approve"), (False, "webtrace.refuse")):
                        ui.button(
                            ctx.t(word),
                            on_click=ctx.guard(
                                lambda r=r, ok=ok: decide(r["request"], r["item"], ok)
                            ),
                        ).props(f'dense data-testid="step2-{"approve" if ok else "refuse"}"')

    async def decide(rid: str, item: int, ok: bool) -> None:
        out = await work(step2.decide_step2, ctx.node, ctx.user, rid, item, ok, "")
        ui.notify(ctx.t("trace.step2_state", id=rid, item=item, step2=out["step2"]))
        ui.navigate.reload()

    async def do_process() -> None:
        report = await work(inbound.process, ctx.node, ctx.user, "", False)
        ui.notify(ctx.t("trace.processed", items=report.items, by_status=report.by_status))
        ui.navigate.reload()

    process.on_click(ctx.guard(do_process))


async def _indicators(ctx: PageCtx) -> None:
    ind = (await work(indicators.compute, ctx.node, ctx.user, "")).to_dict()
    ttc = ind["time_to_crime"]
    with ui.card().classes("w-full").props('data-testid="trace-indicators"'):
        ui.label(
            ctx.t(
                "trace.ind_title",
                side=ind["side"],
                items=ind["items"],
                share=f"{ind['traced_share']:.1%}",
            )
        )
        ui.label(
            ctx.t(
                "trace.ind_ttc",
                median=_num(ctx, ttc["median_days"]),
                p25=_num(ctx, ttc["p25_days"]),
                p75=_num(ctx, ttc["p75_days"]),
                short=_num(ctx, ttc["short_share"]),
            )
        )


def _num(ctx: PageCtx, value: Any) -> str:
    """A figure in the user's locale; none yet (nothing traced) as a dash."""
    return fmt.number(value, ctx.lang) if isinstance(value, int | float) else "—"
