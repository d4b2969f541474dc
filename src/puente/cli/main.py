"""``puente``: the command-line entry point. Sub-commands live in modules named after
what they do and are registered here."""

from __future__ import annotations

from pathlib import Path

import typer

from puente.cli.context import CliState, errors, state
from puente.i18n import detect_lang

app = typer.Typer(
    name="puente",
    help="Puente: a sovereign node for cross-border security cooperation / "
    "un nodo soberano para la cooperación en seguridad transfronteriza.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def main_options(
    ctx: typer.Context,
    node: Path | None = typer.Option(
        None, "--node", envvar="PUENTE_NODE", help="Node directory / directorio del nodo"
    ),
    db_url: str | None = typer.Option(
        None,
        "--db-url",
        envvar="PUENTE_DB_URL",
        help="PostgreSQL URL (default: the node's SQLite file)",
    ),
    lang: str | None = typer.Option(
        None, "--lang", help="es | en (default: PUENTE_LANG, then the locale)"
    ),
) -> None:
    ctx.obj = CliState(node_dir=node, db_url=db_url, lang=detect_lang(lang))


@app.command("init")
def init(
    ctx: typer.Context,
    directory: Path = typer.Argument(..., help="Where to create the node"),
    country: str = typer.Option(..., "--country", help="ISO country code of this node (MX, US…)"),
    name: str = typer.Option("", "--name", help="Display name"),
) -> None:
    """Create a node: settings, database, Ed25519 key pair. / Crea un nodo."""
    from puente.node import init_node

    st = state(ctx)
    with errors(st):
        node = init_node(directory, country, name=name, db_url=st.db_url or "")
        st.console.print(st.t("cli.init_done", path=str(directory), country=node.country))
        st.console.print(st.t("cli.fingerprint", fingerprint=node.fingerprint))
        st.console.print(
            st.t("cli.default_markings", markings=node.default_markings.banner(st.lang))
        )
        node.close()


# --- sub-command registration: one import + one add_typer/command line per module ---
# (keep this block additive: several areas register here)
from puente.cli import audit as _audit  # noqa: E402
from puente.cli import demo as _demo  # noqa: E402
from puente.cli import exchange as _exchange  # noqa: E402
from puente.cli import load as _load  # noqa: E402
from puente.cli import network as _network  # noqa: E402
from puente.cli import query as _query  # noqa: E402
from puente.cli import records as _records  # noqa: E402
from puente.cli import resolve as _resolve  # noqa: E402
from puente.cli import serve as _serve  # noqa: E402
from puente.cli import trace as _trace  # noqa: E402
from puente.cli import users as _users  # noqa: E402
from puente.cli.coordinate import coordinate_app as _coordinate_app  # noqa: E402
from puente.cli.scenario import scenario_app as _scenario_app  # noqa: E402

app.command("load")(_load.load)
app.command("search")(_records.search)
app.add_typer(_records.record_app, name="record")
app.add_typer(_users.user_app, name="user")
app.add_typer(_users.token_app, name="token")
app.add_typer(_audit.audit_app, name="audit")
app.command("serve")(_serve.serve)
app.command("demo")(_demo.demo)
app.add_typer(_exchange.partner_app, name="partner")
app.command("sync")(_exchange.sync_cmd)
app.add_typer(_exchange.ledger_app, name="ledger")
app.add_typer(_exchange.export_app, name="export")
app.add_typer(_scenario_app, name="scenario")
_resolve.register(app)
app.add_typer(_trace.trace_app, name="trace")
_query.register(app)
app.add_typer(_network.network_app, name="network")
app.add_typer(_coordinate_app, name="coordinate")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
