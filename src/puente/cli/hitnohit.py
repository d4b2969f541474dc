"""``puente hitnohit pair|key|rotate|log``: setting up hit/no-hit with a partner (keys,
quota, key epochs) and reading the query logs. Rendering only: pair set-up acts as the
local operator ``system``; the logs go through ``puente.hitnohit.service`` as a user
(``--as USER`` or ``system``), so roles and audit apply."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from puente.cli.context import AS_USER, CliState, errors, state, table

if TYPE_CHECKING:
    from puente.hitnohit.pairs import Pair

JSON = typer.Option(False, "--json", help="JSON output")
hitnohit_app = typer.Typer(
    help="Hit/no-hit pairs, keys and logs / Parejas, claves y registros", no_args_is_help=True
)


@hitnohit_app.command("pair")
def pair_cmd(
    ctx: typer.Context,
    partner: str = typer.Argument(...),
    fetch: bool = typer.Option(False, "--fetch", help="Fetch the partner's signed X25519 key"),
    x25519: str | None = typer.Option(None, "--x25519", help="Partner X25519 key (out of band)"),
    x25519_sig: str | None = typer.Option(None, "--x25519-sig", help="Its signature"),
    secret: str | None = typer.Option(None, "--secret", help="Out-of-band shared secret (hex)"),
    quota: int | None = typer.Option(None, "--quota", help="Items a day the partner may ask"),
    max_level: str | None = typer.Option(None, "--max-level", help="Highest level it may hit"),
    contact: str | None = typer.Option(None, "--contact", help="Contact point in our answers"),
    epoch: int | None = typer.Option(None, "--epoch", help="Set the key epoch"),
) -> None:
    """Set up hit/no-hit with a partner (keys, quota). / Configurar la pareja."""
    from puente.hitnohit import service
    from puente.store.users import SYSTEM

    st = state(ctx)
    with errors(st):
        with st.opened() as node:
            pair = service.pair_setup(
                node,
                SYSTEM,
                partner,
                fetch=fetch,
                x25519=x25519,
                x25519_sig=x25519_sig,
                secret=secret,
                quota=quota,
                max_level=max_level,
                contact=contact,
                epoch=epoch,
            )
        _say_pair(st, pair)


def _say_pair(st: CliState, pair: Pair) -> None:
    st.say(
        "hitnohit.pair_done",
        partner=pair.partner,
        mode=pair.mode,
        epoch=pair.epoch,
        quota=pair.quota,
    )


@hitnohit_app.command("key")
def key_cmd(ctx: typer.Context) -> None:
    """Print this node's signed X25519 key. / Mostrar la clave X25519 firmada."""
    from puente.hitnohit.pairs import own_x25519

    st = state(ctx)
    with errors(st), st.opened() as node:
        st.say("hitnohit.x25519_out", **own_x25519(node))


@hitnohit_app.command("rotate")
def rotate_cmd(ctx: typer.Context, partner: str = typer.Argument(...)) -> None:
    """Move the pair to its next key epoch. / Rotar las claves de la pareja."""
    from puente.hitnohit import service
    from puente.store.users import SYSTEM

    st = state(ctx)
    with errors(st):
        with st.opened() as node:
            pair = service.rotate(node, SYSTEM, partner)
        _say_pair(st, pair)


@hitnohit_app.command("log")
def log_cmd(
    ctx: typer.Context,
    incoming: bool = typer.Option(False, "--incoming", help="Queries partners sent us"),
    limit: int = typer.Option(50, "--limit", min=1, max=1000),
    as_json: bool = JSON,
    as_user: str | None = AS_USER,
) -> None:
    """The query log of either direction. / Registro de consultas."""
    from puente.hitnohit import service

    st = state(ctx)
    with errors(st):
        rows = st.call(as_user, service.query_log, "in" if incoming else "out", limit)
        if as_json:
            return st.print_json(rows)
        if not rows:
            st.say("hitnohit.no_queries")
            return
        table(
            st,
            [f"hitnohit.col_{c}" for c in ("at", "partner", "query", "items", "hits", "refs")],
            (
                (
                    r["at"],
                    r["partner"],
                    r["id"],
                    r["items"],
                    r["hits"],
                    " ".join(f"{e['ref']}→{e.get('record_id', e['item'])}" for e in r["refs"]),
                )
                for r in rows
            ),
        )
