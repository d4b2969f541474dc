"""``puente resolve`` and ``puente review list|decide|undo|explain``: entity resolution.

Invariant: this module only renders; every action goes through ``puente.resolve.service``
as a user (``--as USER`` or the local operator ``system``), so roles, clearance and the
audit log apply exactly as they do for the API.
"""

from __future__ import annotations

import typer
from rich.table import Table

from puente.cli.context import add_row, errors, state

AS_USER = typer.Option(None, "--as", help="Act as this local user (default: system)")
GROUPS_HELP = "Person | Organization | Firearm | Vehicle | Vessel (repeatable; default: all)"

review_app = typer.Typer(
    help="Review uncertain pairs and record judgements. / Revisión de pares dudosos.",
    no_args_is_help=True,
)


def resolve(
    ctx: typer.Context,
    schema: list[str] = typer.Option([], "--schema", help=GROUPS_HELP),
    incremental: bool = typer.Option(
        False, "--incremental", help="Only records changed since the last run"
    ),
    as_user: str | None = AS_USER,
) -> None:
    """Resolve entities across own and received records. / Resuelve entidades."""
    from puente.resolve import service
    from puente.resolve.features import GROUPS

    st = state(ctx)
    with errors(st):
        groups = [service.check_group(s) for s in schema] or list(GROUPS)
        node = st.open_node()
        try:
            user = st.actor(node, as_user)
            with st.console.status(st.t("resolve.running")):
                reports = service.run(node, user, groups, incremental)
        finally:
            node.close()
        for r in reports:
            if r["mode"] == "full":
                st.say("resolve.full_done", **r)
            else:
                st.say("resolve.incremental_done", **r)


def register(app: typer.Typer) -> None:
    """Add ``resolve`` and ``review`` to the root command (one line in ``cli/main``)."""
    app.command("resolve")(resolve)
    app.add_typer(review_app, name="review")


@review_app.command("list")
def review_list(
    ctx: typer.Context,
    schema: str = typer.Option("Person", "--schema", help=GROUPS_HELP),
    limit: int = typer.Option(20, "--limit", min=1, max=1000),
    as_user: str | None = AS_USER,
) -> None:
    """Pairs waiting for a judgement, most uncertain first. / Pares pendientes."""
    from puente.resolve import service

    st = state(ctx)
    with errors(st):
        node = st.open_node()
        try:
            items = service.review_queue(node, st.actor(node, as_user), schema, limit)
        finally:
            node.close()
        if not items:
            st.say("resolve.queue_empty")
            return
        table = Table()
        for key in ("resolve.col_left", "resolve.col_right", "resolve.col_probability"):
            table.add_column(st.t(key), overflow="fold")
        for i in items:
            add_row(
                table,
                f"{i['left_id']} ({i['left_caption']})",
                f"{i['right_id']} ({i['right_caption']})",
                f"{i['match_probability']:.3f}",
            )
        st.console.print(table)


@review_app.command("decide")
def review_decide(
    ctx: typer.Context,
    left: str = typer.Argument(..., help="Record id"),
    right: str = typer.Argument(..., help="Record id"),
    judgement: str = typer.Argument(..., help="same | not_same | unsure"),
    note: str = typer.Option("", "--note"),
    as_user: str | None = AS_USER,
) -> None:
    """Judge a pair; the judgement overrides the model. / Decide sobre un par."""
    from puente.resolve import service

    st = state(ctx)
    with errors(st):
        node = st.open_node()
        try:
            made = service.decide(node, st.actor(node, as_user), left, right, judgement, note)
        finally:
            node.close()
        st.say(
            "resolve.decided",
            id=made["id"],
            judgement=made["judgement"],
            left=made["left_id"],
            right=made["right_id"],
        )


@review_app.command("undo")
def review_undo(
    ctx: typer.Context,
    decision: int = typer.Argument(..., help="Decision number"),
    as_user: str | None = AS_USER,
) -> None:
    """Undo a judgement (appended, never erased). / Deshace una decisión."""
    from puente.resolve import service

    st = state(ctx)
    with errors(st):
        node = st.open_node()
        try:
            made = service.undo(node, st.actor(node, as_user), decision)
        finally:
            node.close()
        st.say("resolve.undone", id=decision, by=made["id"])


@review_app.command("explain")
def review_explain(
    ctx: typer.Context,
    left: str = typer.Argument(..., help="Record id"),
    right: str = typer.Argument(..., help="Record id"),
    as_user: str | None = AS_USER,
) -> None:
    """Why two records match or not: the weight of each field. / Por qué coinciden."""
    from puente.resolve import service

    st = state(ctx)
    with errors(st):
        node = st.open_node()
        try:
            ex = service.explain(node, st.actor(node, as_user), left, right)
        finally:
            node.close()
        table = Table()
        for key in (
            "resolve.col_field",
            "resolve.col_level",
            "resolve.col_values",
            "resolve.col_weight",
        ):
            table.add_column(st.t(key), overflow="fold")
        for f in ex["fields"]:
            add_row(
                table, f["field"], f["level"], f"{f['left']} | {f['right']}", f"{f['weight']:+.2f}"
            )
        st.console.print(table)
        st.say(
            "resolve.explained",
            weight=ex["match_weight"],
            prior=ex["prior_weight"],
            probability=ex["match_probability"],
        )
