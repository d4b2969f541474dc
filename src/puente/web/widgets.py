"""Pieces several pages draw the same way: a record's markings in full, its properties
(references as links), and a resolution explanation field by field.

Invariant: a widget draws only what it is given — records the caller read through
``access`` — and reports their markings to the page's ``Screen`` so the banner covers
them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from nicegui import ui

from puente.model.ftm import get_model
from puente.model.record import Record
from puente.web import fmt
from puente.web.graph import AccessGraph
from puente.web.layout import PageCtx


def record_href(rid: str) -> str:
    return "/ui/record?id=" + quote(rid, safe="")


def markings_card(ctx: PageCtx, record: Record, testid: str = "markings") -> None:
    with ui.card().classes("w-full").props(f'data-testid="{testid}"'):
        ui.label(ctx.t("web.markings")).classes("text-subtitle1 text-bold")
        with ui.grid(columns=2).classes("gap-x-4 gap-y-1"):
            for label, value in fmt.marking_rows(record.markings, ctx.lang):
                ui.label(label).classes("text-grey-8")
                ui.label(value)


def provenance(ctx: PageCtx, record: Record) -> str:
    if record.origin == ctx.node.country:
        return ctx.t("web.provenance_own", country=record.origin)
    return ctx.t("web.provenance_received", partner=record.origin)


def properties_table(ctx: PageCtx, record: Record, graph: AccessGraph) -> list[Record]:
    """The record's properties; entity references become links to the records they name
    (when the user may read them). Returns the referenced records shown."""
    schema = get_model().get(record.schema)
    shown: list[Record] = []
    with ui.card().classes("w-full").props('data-testid="properties"'):
        ui.label(ctx.t("web.properties")).classes("text-subtitle1 text-bold")
        with ui.grid(columns=2).classes("gap-x-4 gap-y-1"):
            for name, values in sorted(record.properties.items()):
                prop = schema.properties.get(name) if schema is not None else None
                ui.label(prop.label if prop is not None else name).classes("text-grey-8")
                with ui.column().classes("gap-0"):
                    for value in values:
                        target = (
                            graph.resolve(record, value)
                            if prop is not None and prop.type.name == "entity"
                            else None
                        )
                        if target is not None:
                            shown.append(target)
                            caption = graph_caption(target)
                            ui.link(f"{caption} ({target.schema})", record_href(target.id))
                        elif prop is not None and prop.type.name == "date":
                            ui.label(fmt.day(value, ctx.lang))
                        else:
                            ui.label(value)
    return shown


def graph_caption(record: Record) -> str:
    from puente.web.graph import node_of

    return node_of(record).caption


def explanation_table(ctx: PageCtx, expl: dict[str, Any]) -> None:
    """Why two records are (or are not) the same person: each field, the two values
    compared, the level reached and its weight; then the total and the probability."""
    rows = [
        {
            "field": f["field"],
            "left": _value(f["left"]),
            "right": _value(f["right"]),
            "level": f["level"],
            "weight": fmt.number(round(f["weight"], 2), ctx.lang),
            "sign": "positive" if f["weight"] > 0 else ("negative" if f["weight"] < 0 else ""),
        }
        for f in expl.get("fields", [])
    ]
    columns = [
        {"name": n, "label": ctx.t(f"web.expl_{n}"), "field": n, "align": "left"}
        for n in ("field", "left", "right", "level", "weight")
    ]
    table = ui.table(columns=columns, rows=rows, row_key="field").classes("w-full")
    table.props('dense flat bordered data-testid="explanation"')
    table.add_slot(
        "body-cell-weight",
        "<q-td :props=\"props\" :class=\"props.row.sign === 'positive' ? 'text-positive' : "
        "(props.row.sign === 'negative' ? 'text-negative' : '')\">{{ props.row.weight }}</q-td>",
    )
    ui.label(
        ctx.t(
            "web.expl_total",
            prior=fmt.number(round(expl.get("prior_weight", 0.0), 2), ctx.lang),
            weight=fmt.number(round(expl.get("match_weight", 0.0), 2), ctx.lang),
            probability=fmt.number(round(100 * expl.get("match_probability", 0.0), 1), ctx.lang),
        )
    ).classes("text-bold")
    decision = expl.get("decision")
    if decision:
        ui.label(
            ctx.t(
                "web.expl_decision",
                judgement=ctx.t(f"web.judgement_{decision['judgement']}"),
                actor=decision["actor"],
                at=fmt.moment(decision["at"], ctx.lang),
            )
        )


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)
