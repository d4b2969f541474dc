"""The exchange, per partner: the ledger (sent, acknowledged, received, running hashes),
sync now, reconcile with the partner's ledger, and the records received from it and
released to it.

Invariant: counts and hashes come from the exchange package (they reveal no content);
the record lists come only from ``access.search_records`` within the user's clearance,
so the page never shows a record the search page would not. Sync and reconciliation
run in a worker thread: the partner may be served by this very process (the demo).
"""

from __future__ import annotations

from typing import Any

from nicegui import ui

from puente import access
from puente.errors import PuenteError
from puente.exchange import serve
from puente.exchange.client import get_partner
from puente.exchange.pull import sync
from puente.exchange.reconcile import reconcile
from puente.store.search import SearchQuery
from puente.web import fmt
from puente.web.layout import NavItem, PageCtx, page, register, work
from puente.web.pages.search import hit_markings, hit_row

ROLES = ("analyst", "releasing_officer")
register(NavItem("/ui/exchange", "web.nav_exchange", "sync_alt", ROLES, 40))
LIST = 50


@page("/ui/exchange", "web.nav_exchange")
async def exchange_page(ctx: PageCtx) -> None:
    access.require_role(ctx.user, *ROLES)
    codes = sorted(ctx.node.partners())
    with ui.column().classes("w-full p-4 gap-4"):
        if not codes:
            ui.label(ctx.t("web.no_partners"))
            return
        for code in codes:
            await _partner(ctx, code)


async def _partner(ctx: PageCtx, code: str) -> None:
    partner = await work(get_partner, ctx.node, code)
    with ui.card().classes("w-full").props(f'data-testid="partner-{code}"'):
        with ui.row().classes("items-center gap-4"):
            ui.label(f"{partner.code} — {partner.name}").classes("text-h6")
            ui.label(partner.url).classes("text-caption")
            ui.label(ctx.t("web.fingerprint", fp=partner.fingerprint)).classes("text-caption")
        ledger_box = ui.column().classes("gap-0").props(f'data-testid="ledger-{code}"')
        with ui.row().classes("gap-2"):
            sync_btn = ui.button(ctx.t("web.sync_now"), icon="sync")
            sync_btn.props(f'data-testid="sync-{code}"')
            rec_btn = ui.button(ctx.t("web.reconcile"), icon="fact_check").props(
                f'outline data-testid="reconcile-{code}"'
            )
        outcome = ui.column().classes("gap-0").props(f'data-testid="outcome-{code}"')
        with ui.tabs() as tabs:
            received_tab = ui.tab(ctx.t("web.received_from", partner=code))
            sent_tab = ui.tab(ctx.t("web.released_to", partner=code))
        with ui.tab_panels(tabs, value=received_tab).classes("w-full"):
            with ui.tab_panel(received_tab):
                received = _table(ctx, f"received-{code}")
            with ui.tab_panel(sent_tab):
                released = _table(ctx, f"released-{code}")

    async def show_ledger() -> None:
        summary = await work(serve.ledger_view, ctx.node, code, 0)
        ledger_box.clear()
        with ledger_box:
            for key in ("sent", "sent_acked", "received"):
                ui.label(
                    ctx.t(f"web.ledger_{key}", count=fmt.number(int(_int(summary[key])), ctx.lang))
                )
            ui.label(
                ctx.t(
                    "web.ledger_heads",
                    sent=str(summary["sent_head"])[:16],
                    received=str(summary["received_head"])[:16],
                )
            ).classes("text-caption")

    async def fill() -> None:
        got, _ = await work(
            access.search_records, ctx.node, ctx.user, SearchQuery(origin=code, limit=LIST)
        )
        out, _ = await work(
            access.search_records,
            ctx.node,
            ctx.user,
            SearchQuery(origin=ctx.node.country, rel_to=code, limit=LIST),
        )
        received.rows = [hit_row(ctx, h) for h in got]
        released.rows = [hit_row(ctx, h) for h in out]
        received.update()
        released.update()
        ctx.screen.show(f"exchange-{code}", [hit_markings(h) for h in (*got, *out)])

    async def do_sync() -> None:
        sync_btn.props("loading")
        try:
            report = await work(sync, ctx.node, code)
        except PuenteError as exc:
            _say(outcome, ctx.t(exc.key, **exc.params), "text-negative")
        else:
            _say(outcome, ctx.t("web.sync_done", **report.to_dict()), "text-positive")
        finally:
            sync_btn.props(remove="loading")
        await show_ledger()
        await fill()

    async def do_reconcile() -> None:
        try:
            result = await work(reconcile, ctx.node, code)
        except PuenteError as exc:
            _say(outcome, ctx.t(exc.key, **exc.params), "text-negative")
            return
        if result.ok:
            text = ctx.t(
                "web.reconcile_ok",
                partner=code,
                pending_in=result.pending_in,
                pending_out=result.pending_out,
            )
            _say(outcome, text, "text-positive")
        else:
            lines = [ctx.t(k, **p) for k, p in result.divergences]
            _say(outcome, ctx.t("web.reconcile_bad", partner=code), "text-negative", lines)

    sync_btn.on_click(ctx.guard(do_sync))
    rec_btn.on_click(ctx.guard(do_reconcile))
    await show_ledger()
    await fill()


def _int(value: Any) -> int:
    return int(value) if isinstance(value, int | str) else 0


def _table(ctx: PageCtx, testid: str) -> ui.table:
    columns = [
        {"name": n, "label": ctx.t(f"web.col_{n}"), "field": n, "align": "left"}
        for n in ("caption", "schema", "date", "classification", "rel_to", "evaluation")
    ]
    table = ui.table(columns=columns, rows=[], row_key="id").classes("w-full")
    table.props(f'dense flat bordered data-testid="{testid}"')
    table.props(f'no-data-label="{ctx.t("web.no_data")}"')
    table.add_slot(
        "body-cell-caption",
        '<q-td :props="props"><a :href="props.row.href" class="text-primary">'
        "{{ props.row.caption }}</a></q-td>",
    )
    return table


def _say(box: ui.column, text: str, cls: str, lines: list[str] | None = None) -> None:
    box.clear()
    with box:
        ui.label(text).classes(cls)
        for line in lines or []:
            ui.label(line).classes("text-caption")
