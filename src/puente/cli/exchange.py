"""``puente partner``, ``puente sync``, ``puente ledger`` and ``puente export``:
the exchange between nodes from the command line (rendering only)."""

from __future__ import annotations

from pathlib import Path

import typer

from puente.cli.context import errors, state, table

partner_app = typer.Typer(
    help="Partner nodes and their keys / Nodos socios y sus claves", no_args_is_help=True
)
ledger_app = typer.Typer(help="Exchange ledger / Libro de intercambio", no_args_is_help=True)
export_app = typer.Typer(
    help="Export what a partner may receive / Exportar lo liberable", no_args_is_help=True
)


@partner_app.command("add")
def partner_add(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="Partner country (US, USA, Guatemala…)"),
    url: str = typer.Option(..., "--url", help="Partner node URL"),
    key: str = typer.Option(..., "--key", help="Partner Ed25519 public key (base64)"),
    name: str = typer.Option("", "--name", help="Display name"),
) -> None:
    """Register a partner with the key it gave you out of band. / Registrar un socio."""
    from puente.store.partners import add_partner

    st = state(ctx)
    with errors(st):
        with st.opened() as node, node.write() as conn:
            partner = add_partner(conn, code, url, key.strip(), name)
            node.audit.append(
                conn,
                "cli",
                "partner_add",
                partner.code,
                {"url": partner.url, "fingerprint": partner.fingerprint},
            )
        st.console.print(
            st.t(
                "exchange.partner_added",
                partner=partner.code,
                url=partner.url,
                fingerprint=partner.fingerprint,
            ),
            highlight=False,
        )


@partner_app.command("list")
def partner_list(ctx: typer.Context) -> None:
    """Partners with their fingerprints and ledger counts. / Lista de socios."""
    from puente.exchange import ledger
    from puente.store.partners import list_partners

    st = state(ctx)
    with errors(st):
        with st.opened() as node, node.read() as conn:
            rows = [(p, ledger.summary(conn, p.code)) for p in list_partners(conn)]
        if not rows:
            st.console.print(st.t("exchange.no_partners"))
            return
        cols = ("partner", "name", "url", "fingerprint", "sent", "received")
        table(
            st,
            [f"exchange.col_{c}" for c in cols],
            ((p.code, p.name, p.url, p.fingerprint, s.sent, s.received) for p, s in rows),
        )


@partner_app.command("remove")
def partner_remove(ctx: typer.Context, code: str = typer.Argument(...)) -> None:
    """Stop exchanging with a partner (its ledger is kept). / Eliminar un socio."""
    from puente.store.partners import remove_partner

    st = state(ctx)
    with errors(st):
        with st.opened() as node, node.write() as conn:
            remove_partner(conn, code)
            node.audit.append(conn, "cli", "partner_remove", code.upper(), {})
        st.console.print(st.t("exchange.partner_removed", partner=code.upper()))


def sync_cmd(
    ctx: typer.Context,
    partner: str | None = typer.Argument(None, help="One partner (default: all)"),
    page: int = typer.Option(5000, "--page", min=1, max=10_000, help="Entries per request"),
    as_json: bool = typer.Option(False, "--json", help="One JSON line per partner"),
) -> None:
    """Pull new entries from partners: verify, apply exactly once. / Sincronizar."""
    from puente.errors import PuenteError
    from puente.exchange.pull import sync

    st = state(ctx)
    with errors(st), st.opened() as node:
        codes = [partner] if partner else sorted(node.partners())
        if not codes:
            st.console.print(st.t("exchange.no_partners"))
        failed: PuenteError | None = None
        for code in codes:
            try:
                report = sync(node, code, page_size=page)
            except PuenteError as exc:
                st.err.print(st.t("exchange.sync_failed", partner=code.upper()))
                failed = exc
                continue
            if as_json:
                st.print_json(report.to_dict())
            else:
                st.console.print(st.t("exchange.sync_done", **report.to_dict()), highlight=False)
        if failed is not None:
            raise failed


@ledger_app.command("show")
def ledger_show(ctx: typer.Context, partner: str = typer.Argument(...)) -> None:
    """This node's ledger with a partner: counts and running hashes. / Ver el libro."""
    from puente.exchange import ledger
    from puente.exchange.client import get_partner

    st = state(ctx)
    with errors(st), st.opened() as node:
        code = get_partner(node, partner).code
        with node.read() as conn:
            st.print_json(ledger.summary(conn, code).to_dict())


@ledger_app.command("reconcile")
def ledger_reconcile(
    ctx: typer.Context,
    partner: str = typer.Argument(...),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Compare both sides' ledgers and report any divergence. / Conciliar el libro."""
    from puente.exchange.reconcile import reconcile

    st = state(ctx)
    with errors(st):
        with st.opened() as node:
            result = reconcile(node, partner)
        if as_json:
            st.print_json(result.to_dict())
        elif result.ok:
            st.console.print(
                st.t(
                    "exchange.reconcile_ok",
                    partner=result.partner,
                    sent=result.local.sent,
                    received=result.local.received,
                    pending_in=result.pending_in,
                    pending_out=result.pending_out,
                )
            )
        else:
            st.console.print(
                st.t(
                    "exchange.reconcile_bad", partner=result.partner, count=len(result.divergences)
                )
            )
            for key, params in result.divergences:
                st.console.print("  " + st.t(key, **params), highlight=False)
        if not result.ok:
            raise typer.Exit(8)


@export_app.command("ftm")
def export_ftm(
    ctx: typer.Context,
    partner: str = typer.Argument(..., help="Export what this partner may receive"),
    out: Path = typer.Option(..., "--out", "-o"),
) -> None:
    """FtM JSON lines (with markings) of the records releasable to a partner."""
    _export(ctx, partner, out, "ftm")


@export_app.command("stix")
def export_stix(
    ctx: typer.Context,
    partner: str = typer.Argument(..., help="Export what this partner may receive"),
    out: Path = typer.Option(..., "--out", "-o"),
) -> None:
    """A STIX 2.1 bundle with TLP 2.0 markings of the records releasable to a partner."""
    _export(ctx, partner, out, "stix")


def _export(ctx: typer.Context, partner: str, out: Path, fmt: str) -> None:
    from puente.exchange import export
    from puente.exchange.client import get_partner

    st = state(ctx)
    with errors(st), st.opened() as node:
        code = get_partner(node, partner).code
        with node.write() as conn:
            views = list(export.released(conn, node.country, code))
            node.audit.append(conn, "cli", f"export_{fmt}", code, {"records": len(views)})
        with out.open("w", encoding="utf-8") as fh:
            if fmt == "ftm":
                fh.writelines(export.ftm_line(v) + "\n" for v in views)
            else:
                fh.write(export.stix_bundle(views, node.country, st.lang).serialize(indent=1))
        st.console.print(st.t("exchange.exported", count=len(views), partner=code, file=str(out)))
