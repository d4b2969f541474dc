"""The review queue of uncertain matches: the two records side by side with their
markings, the explanation field by field, and the analyst's judgement (same / not
same / unsure) recorded through ``resolve.service.decide``.

Invariant: the queue and the explanation come from ``resolve.service`` (pairs that
involve a record above the user's clearance are never listed) and both records are
read through ``access``; the banner covers the pair on screen.
"""

from __future__ import annotations

from typing import Any

from nicegui import ui

from puente import access
from puente.resolve import service
from puente.resolve.features import GROUPS
from puente.web import fmt
from puente.web.layout import NavItem, PageCtx, page, register, work
from puente.web.widgets import explanation_table, graph_caption, markings_card, record_href

JUDGEMENTS = (("same", "positive"), ("not_same", "negative"), ("unsure", "grey"))
register(NavItem("/ui/review", "web.nav_review", "rule", ("analyst",), 50))


@page("/ui/review", "web.nav_review")
async def review_page(ctx: PageCtx) -> None:
    access.require_role(ctx.user, "analyst")
    group = ctx.param("group") if ctx.param("group") in GROUPS else "Person"
    with ui.row().classes("w-full no-wrap p-4 gap-4 items-start"):
        with ui.column().classes("w-80 gap-1"):
            ui.select(
                list(GROUPS),
                value=group,
                label=ctx.t("web.review_group"),
                on_change=lambda e: ui.navigate.to(f"/ui/review?group={e.value}"),
            )
            run_btn = ui.button(ctx.t("web.review_run"), icon="play_arrow").props(
                'outline data-testid="resolve-run"'
            )
            count = ui.label().classes("text-caption").props('data-testid="queue-count"')
            queue = ui.column().classes("w-full gap-1").props('data-testid="queue"')
        detail = ui.column().classes("grow gap-2").props('data-testid="pair"')

    async def load() -> None:
        pairs = await work(service.review_queue, ctx.node, ctx.user, group, 100)
        count.set_text(ctx.t("web.review_count", count=fmt.number(len(pairs), ctx.lang)))
        queue.clear()
        with queue:
            for p in pairs:
                label = f"{p['left_caption']} ↔ {p['right_caption']}"
                pct = fmt.number(round(100 * p["match_probability"], 1), ctx.lang)
                ui.button(f"{label} ({pct} %)", on_click=ctx.guard(lambda p=p: show(p))).props(
                    'flat dense no-caps align=left data-testid="queue-item"'
                ).classes("w-full")
        if not pairs:
            detail.clear()
            ctx.screen.show("pair", [])

    async def show(pair: dict[str, Any]) -> None:
        left = await work(access.read_record, ctx.node, ctx.user, pair["left_id"])
        right = await work(access.read_record, ctx.node, ctx.user, pair["right_id"])
        expl = await work(service.explain, ctx.node, ctx.user, left.id, right.id)
        ctx.screen.show("pair", [left.markings, right.markings])
        detail.clear()
        with detail:
            with ui.row().classes("w-full no-wrap gap-4"):
                for record in (left, right):
                    with ui.column().classes("w-1/2"):
                        caption = f"{graph_caption(record)} ({record.origin})"
                        ui.link(caption, record_href(record.id))
                        markings_card(ctx, record)
            explanation_table(ctx, expl)
            note = ui.input(ctx.t("web.review_note")).classes("w-full").props("maxlength=2000")
            with ui.row():
                for judgement, colour in JUDGEMENTS:
                    ui.button(
                        ctx.t(f"web.judgement_{judgement}"),
                        color=colour,
                        on_click=ctx.guard(lambda j=judgement: decide(pair, j, note.value or "")),
                    ).props(f'data-testid="judge-{judgement}"')

    async def decide(pair: dict[str, Any], judgement: str, note: str) -> None:
        await work(
            service.decide, ctx.node, ctx.user, pair["left_id"], pair["right_id"], judgement, note
        )
        ui.notify(ctx.t("web.review_saved", judgement=ctx.t(f"web.judgement_{judgement}")))
        detail.clear()
        ctx.screen.show("pair", [])
        await load()

    async def resolve_now() -> None:
        run_btn.props("loading")
        try:
            reports = await work(service.run, ctx.node, ctx.user, [group], False)
        finally:
            run_btn.props(remove="loading")
        done = reports[0] if reports else {}
        ui.notify(
            ctx.t(
                "web.review_ran",
                group=group,
                records=done.get("records", 0),
                clusters=done.get("clusters", 0),
            )
        )
        await load()

    run_btn.on_click(ctx.guard(resolve_now))
    await load()
