"""``puente resolve`` and ``puente review list|decide|undo|explain``: entity resolution.

Invariant: this module only renders; every action goes through ``puente.resolve.service``
as a user (``--as USER`` or the local operator ``system``), so roles, clearance and the
audit log apply exactly as they do for the API.
"""

from __future__ import annotations

import typer

from puente.cli.context import AS_USER, errors, state, table

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
        with st.session(as_user) as (node, user), st.console.status(st.t("resolve.running")):
            reports = service.run(node, user, groups, incremental)
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
        items = st.call(as_user, service.review_queue, schema, limit)
        if not items:
            st.say("resolve.queue_empty")
            return
        table(
            st,
            ("resolve.col_left", "resolve.col_right", "resolve.col_probability"),
            (
                (
                    f"{i['left_id']} ({i['left_caption']})",
                    f"{i['right_id']} ({i['right_caption']})",
                    f"{i['match_probability']:.3f}",
                )
                for i in items
            ),
            fold=True,
        )


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
        made = st.call(as_user, service.decide, left, right, judgement, note)
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
        made = st.call(as_user, service.undo, decision)
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
        ex = st.call(as_user, service.explain, left, right)
        table(
            st,
            [f"resolve.col_{c}" for c in ("field", "level", "values", "weight")],
            (
                (f["field"], f["level"], f"{f['left']} | {f['right']}", f"{f['weight']:+.2f}")
                for f in ex["fields"]
            ),
            fold=True,
        )
        st.say(
            "resolve.explained",
            weight=ex["match_weight"],
            prior=ex["prior_weight"],
            probability=ex["match_probability"],
        )
