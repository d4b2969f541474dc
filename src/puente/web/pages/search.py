"""Search: names and identifiers with filters, results as the user types.

Invariant: results come only from ``access.search_records`` (clearance clamped in SQL,
sensitive hits audited); the banner covers exactly the rows on screen.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from nicegui import ui

from puente import access
from puente.model.markings import Markings, vocabulary
from puente.store.search import Hit, SearchQuery
from puente.web import fmt
from puente.web.layout import ALL_ROLES, NavItem, PageCtx, page, register, work

register(NavItem("/ui/search", "web.nav_search", "search", ALL_ROLES, 10))
PAGE = 50
SCHEMATA = (
    "Person", "Organization", "Company", "Vessel", "Vehicle", "Firearm", "Acquisition",
    "Recovery", "BorderCrossing", "Interdiction", "Call", "Payment", "Ownership",
)  # fmt: skip


def hit_markings(hit: Hit) -> Markings:
    return Markings.parse(hit.markings, originator=hit.markings.get("originator") or hit.origin)


def hit_row(ctx: PageCtx, hit: Hit) -> dict[str, Any]:
    marks = hit_markings(hit)
    return {
        "id": hit.id,
        "caption": hit.caption,
        "schema": hit.schema,
        "date": fmt.day(hit.event_date, ctx.lang),
        "classification": fmt.classification(marks, ctx.lang),
        "rel_to": fmt.releasability(marks, ctx.lang),
        "evaluation": marks.evaluation,
        "origin": hit.origin,
        "href": "/ui/record?id=" + quote(hit.id, safe=""),
    }


@page("/ui/search", "web.nav_search")
def search_page(ctx: PageCtx) -> None:
    partners = sorted(ctx.node.partners())
    origins = {"": ctx.t("web.any"), ctx.node.country: ctx.t("web.own_records")}
    origins.update({p: ctx.t("web.received_from", partner=p) for p in partners})
    levels = {"": ctx.t("web.any")}
    levels.update({c: lab[ctx.lang] for c, lab in vocabulary().labels.items()})
    rel = {"": ctx.t("web.any"), **{p: p for p in partners}}
    with ui.column().classes("w-full p-4 gap-2"):
        with ui.row().classes("w-full items-end gap-4"):
            q = (
                ui.input(ctx.t("web.search_placeholder"), value=ctx.param("q"))
                .props('debounce=250 clearable autofocus data-testid="q"')
                .classes("w-96")
            )
            schemata = (
                ui.select(list(SCHEMATA), multiple=True, label=ctx.t("web.filter_schema"), value=[])
                .classes("w-64")
                .props("use-chips")
            )
            date_from = ui.input(ctx.t("web.filter_from")).props("type=date").classes("w-40")
            date_to = ui.input(ctx.t("web.filter_to")).props("type=date").classes("w-40")
            level = ui.select(levels, label=ctx.t("web.filter_classification"), value="")
            origin = ui.select(origins, label=ctx.t("web.filter_origin"), value="")
            rel_to = ui.select(rel, label=ctx.t("web.filter_rel_to"), value="")
        summary = ui.label().classes("text-caption").props('data-testid="summary"')
        columns = [
            {"name": n, "label": ctx.t(f"web.col_{n}"), "field": n, "align": "left"}
            for n in ("caption", "schema", "date", "classification", "rel_to", "evaluation")
        ]
        columns.append({"name": "origin", "label": ctx.t("web.col_origin"), "field": "origin"})
        table = ui.table(columns=columns, rows=[], row_key="id").classes("w-full")
        table.props('data-testid="results" flat bordered').props(
            f'no-data-label="{ctx.t("web.no_data")}"'
        )
        table.add_slot(
            "body-cell-caption",
            '<q-td :props="props"><a :href="props.row.href" class="text-primary">'
            "{{ props.row.caption }}</a></q-td>",
        )
        more = ui.button(ctx.t("web.more")).props('flat data-testid="more"')
        more.set_visibility(False)
    shown: list[Hit] = []
    asked = [0]  # number of the newest query: an older answer arriving late is dropped

    async def refresh(append: bool = False) -> None:
        asked[0] += 1
        mine = asked[0]
        query = SearchQuery(
            q=str(q.value or "").strip()[:200],
            schemata=list(schemata.value or []),
            date_from=date_from.value or None,
            date_to=date_to.value or None,
            classification=level.value or None,
            origin=origin.value or None,
            rel_to=rel_to.value or None,
            limit=PAGE,
            offset=len(shown) if append else 0,
        )
        hits, has_more = await work(access.search_records, ctx.node, ctx.user, query)
        if mine != asked[0]:
            return
        if not append:
            shown.clear()
        shown.extend(hits)
        table.rows = [hit_row(ctx, h) for h in shown]
        table.update()
        ctx.screen.show("results", [hit_markings(h) for h in shown])
        count = fmt.number(len(shown), ctx.lang)
        summary.set_text(ctx.t("web.results_more" if has_more else "web.results", count=count))
        more.set_visibility(has_more)

    search = ctx.guard(refresh)
    for element in (q, schemata, date_from, date_to, level, origin, rel_to):
        element.on_value_change(search)
    more.on_click(ctx.guard(lambda: refresh(append=True)))
    table.on("rowClick", lambda e: ui.navigate.to(e.args[1]["href"]))
    ui.timer(0.05, search, once=True)
