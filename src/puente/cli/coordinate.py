"""``puente coordinate``: the secretariat's commands (rendering only; the rules live in
``puente.coordinate``).

Framework (here): ``tree``, ``show``, ``add``, ``status``, ``milestone``, ``evidence``.
Indicators, meetings, the report and the example (``cli/coordinate_progress``):
``indicator``, ``observe``, ``import``, ``evaluate``, ``meeting``, ``report``, ``example``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from puente.cli.context import CliState, errors, state, table
from puente.cli.coordinate_progress import AS_USER, JSON
from puente.cli.coordinate_progress import register as register_progress

if TYPE_CHECKING:
    from puente.coordinate.items import Item

coordinate_app = typer.Typer(
    help="High-level coordination / Coordinación de alto nivel", no_args_is_help=True
)


def _markings(classification: str | None, rel_to: str | None) -> dict[str, Any] | None:
    given: dict[str, Any] = {}
    if classification:
        given["classification"] = classification
    if rel_to is not None:
        given["rel_to"] = [p for p in rel_to.split(",") if p.strip()]
    return given or None


@coordinate_app.command("tree")
def tree_cmd(ctx: typer.Context, as_user: str | None = AS_USER, as_json: bool = JSON) -> None:
    """The framework, own items and the partner's. / El marco de compromisos."""
    from puente.coordinate.writes import snapshot

    st = state(ctx)
    with errors(st):
        frame = st.call(as_user, snapshot)
        rows = [
            {"id": i.id, "number": i.number, "level": i.level, "title": i.text(st.lang),
             "status": i.status, "due": i.due, "owner": i.origin,
             "owners": [f"{c}:{a}" for c, a in i.owners]}
            for _, i in frame.walk()
        ]  # fmt: skip
        if as_json:
            return st.print_json(rows)
        cols = ("number", "title", "status", "due", "origin", "owner")
        table(st, [f"coordinate.col_{c}" for c in cols], (_row(st, d, i) for d, i in frame.walk()))
        for c in frame.conflicts():
            st.say("coordinate.cli_conflict", count=len(c.ids), number=c.number)


def _row(st: CliState, depth: int, item: Item) -> tuple[object, ...]:
    status = st.t(f"coordinate.status_{item.status}") if item.level in (
        "commitment", "action") else ""  # fmt: skip
    owners = "; ".join(f"{c} {a}".strip() for c, a in item.owners)
    return (item.number, "  " * depth + item.text(st.lang), status, item.due, item.origin, owners)


@coordinate_app.command("show")
def show_cmd(ctx: typer.Context, rid: str, as_user: str | None = AS_USER) -> None:
    """An item with its milestones, evidence and history. / Un elemento y su historial."""
    from puente.coordinate import framework
    from puente.coordinate.writes import snapshot

    st = state(ctx)
    with errors(st):
        with st.session(as_user) as (node, user):
            frame = snapshot(node, user)
            item = frame.items.get(rid)
            if item is None:
                from puente.errors import NotFound

                raise NotFound("coordinate.no_item", id=rid)
            history = framework.item_history(node, user, rid)
        st.print_json({
            "item": {k: v for k, v in vars(item).items() if k != "markings"},
            "markings": item.markings.banner(st.lang),
            "milestones": [vars(m) | {"markings": None} for m in frame.milestones(rid)],
            "evidence": [vars(e) | {"markings": None} for e in frame.evidence(rid)],
            "history": history,
        })  # fmt: skip


@coordinate_app.command("add")
def add_cmd(
    ctx: typer.Context,
    level: str = typer.Option(..., "--level", help="goal | area | objective | commitment | action"),
    title_es: str = typer.Option(..., "--title-es"),
    title_en: str = typer.Option(..., "--title-en"),
    parent: str = typer.Option("", "--parent", help="Parent item id (own or MEX:/USA: copy)"),
    owner: list[str] = typer.Option([], "--owner", help="COUNTRY:Agency (repeatable)"),
    due: str = typer.Option("", "--due", help="YYYY-MM-DD"),
    classification: str | None = typer.Option(None, "--classification"),
    rel_to: str | None = typer.Option(None, "--rel-to", help="Partners, comma-separated"),
    as_user: str | None = AS_USER,
) -> None:
    """Add a framework item (numbered under its parent). / Agregar un elemento."""
    from puente.coordinate import framework

    st = state(ctx)
    with errors(st), st.session(as_user) as (node, user):
        rec = framework.create_item(
            node, user, level=level, parent=parent, title_es=title_es, title_en=title_en,
            owners=owner or None, due=due or None, markings=_markings(classification, rel_to),
        )  # fmt: skip
        st.say("coordinate.cli_created", id=rec.id, number=rec.properties["number"][0],
               node=node.country)  # fmt: skip


@coordinate_app.command("status")
def status_cmd(
    ctx: typer.Context,
    rid: str,
    status: str = typer.Argument(..., help="not_started | limited | substantial | completed"),
    note: str = typer.Option("", "--note"),
    as_user: str | None = AS_USER,
) -> None:
    """Set an own item's status. / Cambiar el estado de un elemento propio."""
    from puente.coordinate import framework

    st = state(ctx)
    with errors(st):
        rec = st.call(as_user, framework.set_status, rid, status, note)
        st.say("coordinate.cli_updated", id=rec.id, version=rec.version)


@coordinate_app.command("milestone")
def milestone_cmd(
    ctx: typer.Context,
    commitment: str,
    title_es: str = typer.Option(..., "--title-es"),
    title_en: str = typer.Option(..., "--title-en"),
    due: str = typer.Option("", "--due"),
    as_user: str | None = AS_USER,
) -> None:
    """Add a milestone to an own commitment. / Agregar un hito."""
    from puente.coordinate import framework

    st = state(ctx)
    with errors(st), st.session(as_user) as (node, user):
        rec = framework.add_milestone(node, user, commitment, title_es, title_en, due)
        st.say("coordinate.cli_created", id=rec.id, number="-", node=node.country)


@coordinate_app.command("evidence")
def evidence_cmd(
    ctx: typer.Context,
    commitment: str,
    title: str = typer.Option(..., "--title"),
    url: str = typer.Option("", "--url"),
    document: str = typer.Option("", "--document", help="A record id held by the node"),
    file: Path | None = typer.Option(None, "--file", help="Named by its SHA-256"),
    as_user: str | None = AS_USER,
) -> None:
    """Add evidence to a commitment. / Agregar evidencia."""
    from puente.coordinate import framework

    st = state(ctx)
    with errors(st), st.session(as_user) as (node, user):
        rec = framework.add_evidence(node, user, commitment, title, url=url,
                                     document=document, file=file)  # fmt: skip
        st.say("coordinate.cli_created", id=rec.id, number="-", node=node.country)


register_progress(coordinate_app)  # after the framework commands: ``--help`` keeps this order
