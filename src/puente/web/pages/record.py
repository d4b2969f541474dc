"""A record: its data and full markings, provenance, versions over time, the entity it
was resolved into and why each member belongs there.

Invariant: the record, its history, its references and its cluster's members are read
through ``access`` and ``resolve.service`` as the user — a version or member above the
user's clearance is left out (the cluster says how many) — and every one of them shown
is on the banner.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from nicegui import ui

from puente import access
from puente.errors import Forbidden, NotFound, PuenteError
from puente.model.markings import Markings
from puente.resolve import service
from puente.web import fmt
from puente.web.graph import AccessGraph
from puente.web.layout import PageCtx, page, work
from puente.web.widgets import (
    explanation_table,
    graph_caption,
    markings_card,
    properties_table,
    provenance,
    record_href,
)


@page("/ui/record", "web.record_title")
async def record_page(ctx: PageCtx) -> None:
    rid = ctx.param("id")
    graph = AccessGraph(ctx.node, ctx.user)
    record = await work(access.read_record, ctx.node, ctx.user, rid)
    ctx.screen.show("record", [record.markings])
    with ui.column().classes("w-full p-4 gap-3"):
        with ui.row().classes("items-center gap-4"):
            ui.label(graph_caption(record)).classes("text-h5").props('data-testid="caption"')
            ui.badge(record.schema)
            ui.label(rid).classes("text-caption text-grey-7")
            ui.button(
                ctx.t("web.open_chart"),
                icon="hub",
                on_click=lambda: ui.navigate.to("/ui/graph?id=" + quote(rid, safe="")),
            ).props('data-testid="open-chart"')
        ui.label(provenance(ctx, record)).props('data-testid="provenance"')
        ui.label(
            ctx.t(
                "web.version_line",
                version=record.version,
                created=fmt.moment(record.created_at, ctx.lang),
                updated=fmt.moment(record.updated_at, ctx.lang),
            )
        ).classes("text-caption")
        with ui.row().classes("w-full no-wrap gap-4 items-start"):
            with ui.column().classes("w-1/2"):
                refs = properties_table(ctx, record, graph)
                ctx.screen.show("references", [r.markings for r in refs])
            with ui.column().classes("w-1/2"):
                markings_card(ctx, record)
        history = await work(access.record_history, ctx.node, ctx.user, rid)
        _history(ctx, history)
        await _cluster(ctx, rid, graph)


def _changes(before: dict[str, Any] | None, after: dict[str, Any]) -> str:
    if before is None:
        return ""
    old, new = before["properties"], after["properties"]
    changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    if before["markings"] != after["markings"]:
        changed.append("markings")
    return ", ".join(changed)


def _history(ctx: PageCtx, versions: list[dict[str, Any]]) -> None:
    marks = [
        Markings.parse(v["markings"], originator=v["markings"]["originator"]) for v in versions
    ]
    ctx.screen.show("history", marks)
    rows = []
    previous: dict[str, Any] | None = None
    for v, m in zip(versions, marks, strict=True):
        rows.append(
            {
                "version": v["version"],
                "operation": ctx.t(f"web.op_{v['operation']}"),
                "at": fmt.moment(v["recorded_at"], ctx.lang),
                "by": v["recorded_by"],
                "classification": fmt.classification(m, ctx.lang),
                "changes": _changes(previous, v),
            }
        )
        previous = v
    ui.label(ctx.t("web.history")).classes("text-h6")
    columns = [
        {"name": n, "label": ctx.t(f"web.col_{n}"), "field": n, "align": "left"}
        for n in ("version", "operation", "at", "by", "classification", "changes")
    ]
    table = ui.table(columns=columns, rows=rows[::-1], row_key="version").classes("w-full")
    table.props('dense flat bordered data-testid="history"')


async def _cluster(ctx: PageCtx, rid: str, graph: AccessGraph) -> None:
    ui.label(ctx.t("web.entity")).classes("text-h6")
    try:
        cluster = await work(service.cluster_of, ctx.node, ctx.user, rid)
    except Forbidden as exc:
        ui.label(ctx.t(exc.key, **exc.params)).classes("text-grey-7")
        return
    except NotFound:
        ui.label(ctx.t("web.unresolved")).classes("text-grey-7").props('data-testid="cluster"')
        return
    members = [m for m in cluster["members"] if m["id"] != rid]
    others = [r for r in (graph.read(m["id"]) for m in members) if r is not None]
    ctx.screen.show("cluster", [r.markings for r in others])
    with ui.column().classes("gap-1").props('data-testid="cluster"'):
        ui.label(
            ctx.t(
                "web.cluster_line",
                cluster=cluster["cluster_id"],
                count=fmt.number(len(cluster["members"]), ctx.lang),
            )
        )
        if cluster["hidden_members"]:
            ui.label(ctx.t("web.cluster_hidden", count=cluster["hidden_members"])).classes(
                "text-grey-7"
            )
        panel = ui.column().classes("w-full")
        for other in others:
            with ui.row().classes("items-center gap-2"):
                ui.link(f"{graph_caption(other)} ({other.origin})", record_href(other.id))
                ui.button(
                    ctx.t("web.why_same"),
                    on_click=ctx.guard(lambda o=other: _explain(ctx, rid, o.id, panel)),
                ).props('flat dense no-caps data-testid="why"')


async def _explain(ctx: PageCtx, left: str, right: str, panel: ui.column) -> None:
    try:
        expl = await work(service.explain, ctx.node, ctx.user, left, right)
    except PuenteError as exc:
        ctx.error(exc)
        return
    panel.clear()
    with panel:
        ui.label(ctx.t("web.why_title", left=left, right=right)).classes("text-subtitle1")
        explanation_table(ctx, expl)
