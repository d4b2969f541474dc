"""The link chart: an interactive ECharts graph around a record — click a node to
expand its neighbours, filter by relation type and dates, highlight key players and
communities, show the path between two entities, export PNG or GraphML.

Invariant: the chart, the side panel and both exports are drawn from one filtered view
of a graph read through ``AccessGraph`` (clearance applied there); the banner is the
view's markings — nodes and the records that make the edges.
"""

from __future__ import annotations

import base64
import html
from typing import Any
from urllib.parse import quote

from nicegui import events, ui

from puente import access
from puente.web import analysis, fmt
from puente.web.graph import AccessGraph, Subgraph, view
from puente.web.graphml import to_graphml
from puente.web.layout import NavItem, PageCtx, page, register, work

register(NavItem("/ui/graph", "web.nav_graph", "hub", ("analyst", "releasing_officer"), 30))
PALETTE = ("#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452")
PATH_COLOUR = "#d81b60"


class Chart:
    """The state of one page's chart: everything read, the filters, the highlights."""

    def __init__(self, ctx: PageCtx, focus: str) -> None:
        self.ctx = ctx
        self.source = AccessGraph(ctx.node, ctx.user)
        self.full = Subgraph()
        self.focus = focus
        self.expanded: set[str] = set()
        self.relations: list[str] | None = None
        self.date_from = ""
        self.date_to = ""
        self.key_players = True
        self.communities = True
        self.path: list[str] = []

    def current(self) -> Subgraph:
        return view(
            self.full,
            relations=self.relations,
            date_from=self.date_from or None,
            date_to=self.date_to or None,
            keep=[self.focus, *self.path],
        )

    def expand(self, ids: list[str]) -> None:
        self.full.merge(self.source.expand(ids))
        self.expanded.update(ids)

    def options(self, sub: Subgraph) -> dict[str, Any]:
        adj = sub.adjacency()
        deg = analysis.degree(adj)
        keys = set(analysis.key_players(adj)) if self.key_players else set()
        groups = analysis.communities(adj) if self.communities else {}
        on_path = set(self.path)
        path_edges = set(zip(self.path, self.path[1:], strict=False))
        t = self.ctx.t
        data = []
        for n in sub.nodes.values():
            tip = f"{html.escape(n.caption)}<br>{n.schema} · {n.origin}<br>" + html.escape(
                fmt.classification(n.markings, self.ctx.lang)
            )
            item: dict[str, Any] = {
                "name": n.id,
                "value": n.caption,
                "symbolSize": min(14 + 5 * deg.get(n.id, 0), 60),
                "label": {"formatter": n.caption.replace("{", "(").replace("}", ")")},
                "tooltip": {"formatter": tip},
                "category": groups.get(n.id, 0),
            }
            style: dict[str, Any] = {}
            if n.id in keys:
                style.update(borderColor="#000", borderWidth=4)
            if n.id in on_path:
                style.update(borderColor=PATH_COLOUR, borderWidth=5)
            if n.id == self.focus:
                item["label"]["fontWeight"] = "bold"
            if style:
                item["itemStyle"] = style
            data.append(item)
        links = []
        for e in sub.edges.values():
            link: dict[str, Any] = {
                "source": e.source,
                "target": e.target,
                "label": {"show": True, "formatter": e.relation, "fontSize": 10},
                "tooltip": {"formatter": html.escape(f"{e.relation} {e.date or ''}")},
            }
            if (e.source, e.target) in path_edges or (e.target, e.source) in path_edges:
                link["lineStyle"] = {"color": PATH_COLOUR, "width": 4}
            links.append(link)
        count = max(groups.values(), default=0) + 1
        return {
            "tooltip": {},
            "toolbox": {
                "feature": {"saveAsImage": {"name": "puente-link-chart", "title": t("web.png")}}
            },
            "series": [
                {
                    "type": "graph",
                    "layout": "force",
                    "roam": True,
                    "draggable": True,
                    "edgeSymbol": ["none", "arrow"],
                    "label": {"show": True, "position": "right"},
                    "force": {"repulsion": 260, "edgeLength": 90, "layoutAnimation": False},
                    "categories": [
                        {
                            "name": t("web.community", n=i + 1),
                            "itemStyle": {"color": PALETTE[i % 7]},
                        }
                        for i in range(count)
                    ],
                    "data": data,
                    "links": links,
                }
            ],
        }


@page("/ui/graph", "web.nav_graph")
async def chart_page(ctx: PageCtx) -> None:
    focus = ctx.param("id")
    if not focus:
        ui.label(ctx.t("web.graph_pick")).classes("m-4")
        ui.button(ctx.t("web.nav_search"), on_click=lambda: ui.navigate.to("/ui/search"))
        return
    await work(access.read_record, ctx.node, ctx.user, focus)  # refused (and audited) above
    chart = Chart(ctx, focus)
    await work(chart.expand, [focus])
    with ui.row().classes("w-full no-wrap p-2 gap-2"):
        with ui.column().classes("w-72 gap-2"):
            relations = ui.select([], multiple=True, label=ctx.t("web.filter_relation"))
            relations.props('use-chips data-testid="relations"')
            date_from = ui.input(ctx.t("web.filter_from")).props("type=date")
            date_to = ui.input(ctx.t("web.filter_to")).props("type=date")
            keys = ui.switch(ctx.t("web.key_players"), value=True)
            groups = ui.switch(ctx.t("web.communities"), value=True)
            ui.separator()
            ui.label(ctx.t("web.path_title")).classes("text-bold")
            end_a = ui.select({}, label=ctx.t("web.path_from"), with_input=True)
            end_b = ui.select({}, label=ctx.t("web.path_to"), with_input=True)
            path_btn = ui.button(ctx.t("web.path_show")).props('data-testid="path"')
            path_note = ui.label().classes("text-caption").props('data-testid="path-note"')
            ui.separator()
            with ui.row():
                graphml_btn = ui.button("GraphML", icon="download")
                graphml_btn.props('data-testid="export-graphml"')
                png_btn = ui.button("PNG", icon="image").props('data-testid="export-png"')
            ui.separator()
            selected = ui.column().classes("gap-1").props('data-testid="selected"')
            stats = ui.label().classes("text-caption").props('data-testid="graph-stats"')
        echart = ui.echart({}, on_point_click=lambda e: on_click(e)).classes("grow")
        echart.style("height: calc(100vh - 170px)").props('data-testid="chart"')

    drawing: list[bool] = []  # non-empty while redraw() sets the controls itself

    def redraw() -> None:
        drawing.append(True)
        try:
            _redraw()
        finally:
            drawing.clear()

    def _redraw() -> None:
        sub = chart.current()
        if chart.relations is None:
            relations.set_options(chart.full.relations(), value=chart.full.relations())
        else:
            relations.set_options(chart.full.relations(), value=chart.relations)
        names = {n.id: f"{n.caption} ({n.schema})" for n in chart.full.nodes.values()}
        end_a.set_options(names, value=end_a.value if end_a.value in names else focus)
        end_b.set_options(names, value=end_b.value if end_b.value in names else None)
        echart.options.clear()
        echart.options.update(chart.options(sub))
        echart.update()
        ctx.screen.show("chart", sub.markings())
        stats.set_text(
            ctx.t(
                "web.graph_stats",
                nodes=fmt.number(len(sub.nodes), ctx.lang),
                edges=fmt.number(len(sub.edges), ctx.lang),
            )
        )

    async def on_click(e: events.EChartPointClickEventArguments) -> None:
        if e.data_type != "node" or not ctx.alive():
            return
        rid = e.name
        node = chart.full.nodes.get(rid)
        if node is None:
            return
        if rid not in chart.expanded:
            await work(chart.expand, [rid])
        selected.clear()
        with selected:
            ui.label(node.caption).classes("text-bold")
            ui.label(
                f"{node.schema} · {node.origin} · {fmt.classification(node.markings, ctx.lang)}"
            )
            ui.link(ctx.t("web.open_record"), "/ui/record?id=" + quote(rid, safe=""))
        redraw()

    def on_filters() -> None:
        if drawing:
            return
        chosen = list(relations.value or [])
        chart.relations = None if set(chosen) == set(chart.full.relations()) else chosen
        chart.date_from = str(date_from.value or "")
        chart.date_to = str(date_to.value or "")
        chart.key_players = bool(keys.value)
        chart.communities = bool(groups.value)
        redraw()

    async def on_path() -> None:
        a, b = end_a.value, end_b.value
        if not a or not b or a == b:
            path_note.set_text(ctx.t("web.path_pick"))
            return
        found = await work(analysis.find_path, chart.source, chart.full, a, b)
        chart.path = found
        if found:
            path_note.set_text(ctx.t("web.path_found", hops=len(found) - 1))
        else:
            path_note.set_text(ctx.t("web.path_none"))
        redraw()

    def on_graphml() -> None:
        sub = chart.current()
        adj = sub.adjacency()
        groups_of = analysis.communities(adj)
        players = set(analysis.key_players(adj))
        extra = {
            n: {"community": str(groups_of.get(n, 0)), "key_player": str(n in players).lower()}
            for n in sub.nodes
        }
        ui.download.content(to_graphml(sub, ctx.lang, extra), "puente-link-chart.graphml")

    async def on_png() -> None:
        url = await echart.run_chart_method("getDataURL", {"type": "png", "pixelRatio": 2})
        if isinstance(url, str) and url.startswith("data:image/png;base64,"):
            ui.download.content(base64.b64decode(url.split(",", 1)[1]), "puente-link-chart.png")

    for element in (relations, date_from, date_to, keys, groups):
        element.on_value_change(ctx.guard(on_filters))
    path_btn.on_click(ctx.guard(on_path))
    graphml_btn.on_click(ctx.guard(on_graphml))
    png_btn.on_click(ctx.guard(on_png))
    redraw()
