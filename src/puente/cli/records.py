"""``puente search`` and ``puente record show|history|held-at``: reading records.

Invariant: every read goes through ``puente.access`` as a user — ``--as USER`` or the
local operator ``system`` — so clearance is enforced and sensitive reads are audited
exactly as they are for the API. This module only renders.
"""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Column, Table

from puente.cli.context import AS_USER, add_row, errors, state, table
from puente.model.markings import Markings, vocabulary

record_app = typer.Typer(
    help="Show one record, its history, or what the node held at a date. / Registros.",
    no_args_is_help=True,
)


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
        with st.session(as_user) as (node, user):
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
        if not hits:
            st.say("cli.search_none", query=query)
            return
        cols = ("cli.col_id", "cli.col_schema", "cli.col_caption", "cli.col_date")
        table(
            st,
            [Column(st.t(c), overflow="fold") for c in cols] + ["cli.col_markings"],
            (
                (h.id, h.schema, h.caption, h.event_date or "", _banner(h.markings, st.lang))
                for h in hits
            ),
        )
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
        record = st.call(as_user, read_record, rid)
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
        grid = Table(show_header=False)
        grid.add_column(style="bold")
        grid.add_column(overflow="fold")
        for name, values in sorted(record.properties.items()):
            add_row(grid, name, "; ".join(values))
        st.console.print(grid)


@record_app.command("history")
def history(
    ctx: typer.Context, rid: str = typer.Argument(...), as_user: str | None = AS_USER
) -> None:
    """Every version of a record, oldest first. / Historial de un registro."""
    from puente.access import record_history

    st = state(ctx)
    with errors(st):
        versions = st.call(as_user, record_history, rid)
        cols = ("version", "operation", "when", "by", "markings")
        table(
            st,
            [f"cli.col_{c}" for c in cols],
            (
                (
                    v["version"],
                    v["operation"],
                    v["recorded_at"],
                    v["recorded_by"],
                    _banner(v["markings"], st.lang),
                )
                for v in versions
            ),
        )


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
        with st.session(as_user) as (node, user):
            total, page = access.held_at(node, user, when, schema=schema, limit=limit)
        if page:
            table(
                st,
                ("cli.col_id", "cli.col_schema", "cli.col_version", "cli.col_when"),
                ((i["id"], i["schema"], i["version"], i["recorded_at"]) for i in page),
                fold=True,
            )
        st.say("cli.held_at_count", when=when, total=total, shown=len(page))
