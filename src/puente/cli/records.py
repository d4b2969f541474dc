"""``puente search`` and ``puente record show|history|held-at``: reading records.

Invariant: every read goes through ``puente.access`` as a user — ``--as USER`` or the
local operator ``system`` — so clearance is enforced and sensitive reads are audited
exactly as they are for the API. This module only renders.
"""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from puente.cli.context import add_row, errors, state
from puente.model.markings import Markings, vocabulary

record_app = typer.Typer(
    help="Show one record, its history, or what the node held at a date. / Registros.",
    no_args_is_help=True,
)

AS_USER = typer.Option(None, "--as", help="Act as this local user (default: system)")


def _banner(markings: dict[str, Any], lang: str) -> str:
    return Markings.parse(markings, originator=markings.get("originator") or "MEX").banner(lang)


def search(
    ctx: typer.Context,
    query: str = typer.Argument("", help="Name, identifier or phone"),
    schema: list[str] = typer.Option([], "--schema", help="Only these schemata (repeatable)"),
    date_from: str | None = typer.Option(None, "--from", help="Event date from (YYYY-MM-DD)"),
    date_to: str | None = typer.Option(None, "--to", help="Event date to (YYYY-MM-DD)"),
    classification: str | None = typer.Option(None, "--classification"),
    rel_to: str | None = typer.Option(None, "--rel-to", help="Releasable to this partner"),
    limit: int = typer.Option(20, "--limit", min=1, max=1000),
    as_user: str | None = AS_USER,
) -> None:
    """Search records by name, identifier or phone. / Busca registros."""
    from puente.access import search_records
    from puente.errors import InvalidInput
    from puente.model.countries import country_code
    from puente.store.search import SearchQuery

    st = state(ctx)
    with errors(st):
        if classification and classification not in vocabulary().levels:
            raise InvalidInput(
                "error.marking_bad_value", field="--classification", value=classification
            )
        node = st.open_node()
        try:
            user = st.actor(node, as_user)
            q = SearchQuery(
                q=query,
                schemata=list(schema),
                date_from=date_from,
                date_to=date_to,
                classification=classification,
                rel_to=country_code(rel_to) if rel_to else None,
                limit=limit,
            )
            hits, more = search_records(node, user, q)
        finally:
            node.close()
        if not hits:
            st.say("cli.search_none", query=query)
            return
        table = Table(show_lines=False)
        for key in ("cli.col_id", "cli.col_schema", "cli.col_caption", "cli.col_date"):
            table.add_column(st.t(key), overflow="fold")
        table.add_column(st.t("cli.col_markings"))
        for h in hits:
            add_row(
                table, h.id, h.schema, h.caption, h.event_date or "", _banner(h.markings, st.lang)
            )
        st.console.print(table)
        st.say("cli.search_count", count=len(hits), more="+" if more else "")


def _check_when(when: str) -> None:
    from datetime import datetime

    from puente.errors import InvalidInput

    try:
        datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInput("cli.bad_when", value=when) from exc


@record_app.command("show")
def show(ctx: typer.Context, rid: str = typer.Argument(...), as_user: str | None = AS_USER) -> None:
    """Show one record with its markings. / Muestra un registro."""
    from puente.access import read_record

    st = state(ctx)
    with errors(st):
        node = st.open_node()
        try:
            record = read_record(node, st.actor(node, as_user), rid)
        finally:
            node.close()
        st.console.print(f"[bold]{record.markings.banner(st.lang)}[/bold]", highlight=False)
        st.say(
            "cli.record_head",
            id=record.id,
            schema=record.schema,
            version=record.version,
            origin=record.origin,
        )
        m = record.markings
        st.say(
            "cli.record_marks",
            handling=m.handling,
            evaluation=m.evaluation,
            originator=m.originator,
            orcon=st.t("cli.yes") if m.originator_control else st.t("cli.no"),
        )
        table = Table(show_header=False)
        table.add_column(style="bold")
        table.add_column(overflow="fold")
        for name, values in sorted(record.properties.items()):
            add_row(table, name, "; ".join(values))
        st.console.print(table)


@record_app.command("history")
def history(
    ctx: typer.Context, rid: str = typer.Argument(...), as_user: str | None = AS_USER
) -> None:
    """Every version of a record, oldest first. / Historial de un registro."""
    from puente.access import record_history

    st = state(ctx)
    with errors(st):
        node = st.open_node()
        try:
            versions = record_history(node, st.actor(node, as_user), rid)
        finally:
            node.close()
        table = Table()
        for key in ("cli.col_version", "cli.col_operation", "cli.col_when", "cli.col_by"):
            table.add_column(st.t(key))
        table.add_column(st.t("cli.col_markings"))
        for v in versions:
            add_row(
                table,
                str(v["version"]),
                v["operation"],
                v["recorded_at"],
                v["recorded_by"],
                _banner(v["markings"], st.lang),
            )
        st.console.print(table)


@record_app.command("held-at")
def held_at(
    ctx: typer.Context,
    when: str = typer.Argument(..., help="YYYY-MM-DD or an ISO timestamp"),
    schema: str | None = typer.Option(None, "--schema"),
    limit: int = typer.Option(50, "--limit", min=1, max=1000),
    as_user: str | None = AS_USER,
) -> None:
    """What this node held at a date. / Lo que el nodo tenía en una fecha."""
    from puente import access

    st = state(ctx)
    with errors(st):
        _check_when(when)
        node = st.open_node()
        try:
            total, page = access.held_at(
                node, st.actor(node, as_user), when, schema=schema, limit=limit
            )
        finally:
            node.close()
        table = Table()
        for key in ("cli.col_id", "cli.col_schema", "cli.col_version", "cli.col_when"):
            table.add_column(st.t(key), overflow="fold")
        for item in page:
            add_row(table, item["id"], item["schema"], str(item["version"]), item["recorded_at"])
        if page:
            st.console.print(table)
        st.say("cli.held_at_count", when=when, total=total, shown=len(page))
