"""The guided tour: a five-minute walk through what this node can do, with links into
each page and to the partner nodes.

Invariant: the tour names only pages and commands that exist in this build (its steps
are the registered navigation entries plus the partner links); capabilities still to
come are listed as such, never shown as working.
"""

from __future__ import annotations

from nicegui import ui

from puente.exchange.client import get_partner
from puente.web.layout import ALL_ROLES, NavItem, PageCtx, page, register, visible_nav, work

register(NavItem("/ui/tour", "web.nav_tour", "tour", ALL_ROLES, 90))
STEPS = (
    ("/ui/search", "web.tour_search"),
    ("/ui/record", "web.tour_record"),
    ("/ui/graph", "web.tour_graph"),
    ("/ui/exchange", "web.tour_exchange"),
    ("/ui/hitnohit", "web.tour_hitnohit"),
    ("/ui/trace", "web.tour_trace"),
    ("/ui/review", "web.tour_review"),
    ("/ui/coordinate", "web.tour_coordinate"),
)


@page("/ui/tour", "web.nav_tour")
async def tour_page(ctx: PageCtx) -> None:
    partners = [await work(get_partner, ctx.node, c) for c in sorted(ctx.node.partners())]
    pages = {n.path for n in visible_nav(ctx.user)} | {"/ui/record"}
    with ui.column().classes("max-w-3xl p-6 gap-3").props('data-testid="tour"'):
        ui.label(ctx.t("web.tour_title")).classes("text-h4")
        ui.markdown(ctx.t("web.tour_nodes", country=ctx.node.country))
        for p in partners:
            ui.link(
                ctx.t("web.tour_partner", partner=p.code, url=p.url),
                f"{p.url}/ui/tour",
                new_tab=True,
            ).props(f'data-testid="tour-partner-{p.code}"')
        for number, (path, key) in enumerate((s for s in STEPS if s[0] in pages), start=1):
            with ui.row().classes("items-start no-wrap gap-3"):
                ui.badge(str(number)).classes("text-h6")
                with ui.column().classes("gap-0"):
                    ui.markdown(ctx.t(key, country=ctx.node.country))
                    if path != "/ui/record":
                        ui.link(ctx.t("web.tour_go"), path)
