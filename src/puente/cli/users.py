"""``puente user add|list`` and ``puente token create``: the node's local accounts.

Invariant: a password is never echoed or stored by this module — it comes from
``--password``/``PUENTE_PASSWORD`` or a hidden prompt typed twice and goes straight to
``store.users`` (argon2id). A token is printed once, when created, and never again.
Every change is audited with the local operator as actor, in the same transaction.
"""

from __future__ import annotations

import typer

from puente.cli.context import errors, state, table
from puente.model.markings import vocabulary

user_app = typer.Typer(help="Local user accounts. / Usuarios locales.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens. / Tokens de la API.", no_args_is_help=True)

OPERATOR = "system"


@user_app.command("add")
def add(
    ctx: typer.Context,
    username: str = typer.Argument(...),
    role: list[str] = typer.Option(
        ..., "--role", help="analyst | releasing_officer | secretariat | admin (repeatable)"
    ),
    clearance: str = typer.Option(
        ..., "--clearance", help="public | restricted | confidential | secret"
    ),
    lang: str = typer.Option("es", "--lang", help="The user's language: es | en"),
    password: str | None = typer.Option(
        None, "--password", envvar="PUENTE_PASSWORD", help="Prompted (hidden) when not given"
    ),
) -> None:
    """Add a local user. / Añade un usuario local."""
    from puente.store.users import add_user

    st = state(ctx)
    with errors(st):
        with st.opened() as node:
            if password is None:
                password = typer.prompt(
                    st.t("cli.password_prompt"),
                    hide_input=True,
                    confirmation_prompt=st.t("cli.password_repeat"),
                )
            roles = [r.strip() for item in role for r in item.split(",") if r.strip()]
            with node.write() as conn:
                user = add_user(conn, username, password, roles, clearance, lang)
                node.audit.append(
                    conn,
                    OPERATOR,
                    "user_add",
                    user.username,
                    {"roles": list(user.roles), "clearance": clearance},
                )
        st.say(
            "cli.user_added",
            username=user.username,
            roles=", ".join(user.roles),
            clearance=clearance,
        )


@user_app.command("list")
def list_(ctx: typer.Context) -> None:
    """List local users. / Lista los usuarios locales."""
    from puente.store.users import list_users

    st = state(ctx)
    with errors(st):
        with st.opened() as node, node.read() as conn:
            people = list_users(conn)
        if not people:
            st.say("cli.user_none")
            return
        names = {level: code for code, level in vocabulary().levels.items()}
        table(
            st,
            ("cli.col_user", "cli.col_roles", "cli.col_clearance", "cli.col_lang"),
            ((u.username, ", ".join(u.roles), names.get(u.clearance, "?"), u.lang) for u in people),
        )


@token_app.command("create")
def create(
    ctx: typer.Context,
    username: str = typer.Argument(...),
    name: str = typer.Option("cli", "--name", help="What the token is for"),
    days: int = typer.Option(90, "--days", min=1, max=3650, help="Days until it expires"),
) -> None:
    """Create an API token for a user (shown once). / Crea un token de la API."""
    from puente.store.users import create_token

    st = state(ctx)
    with errors(st):
        with st.opened() as node, node.write() as conn:
            token = create_token(conn, username.strip().lower(), name, days)
            node.audit.append(
                conn, OPERATOR, "token_create", username, {"name": name, "days": days}
            )
        st.say("cli.token_created", username=username, days=days)
        st.console.print(token, highlight=False, soft_wrap=True)
        st.say("cli.token_once")
