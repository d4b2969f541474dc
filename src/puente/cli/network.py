"""``puente network …``: communities, key players, paths, neighbourhoods, what-if,
change over time, exports, and loading the Mexican cartel networks.

Invariant: this module only renders; every action goes through
``puente.network.service`` as a user (``--as USER`` or the local operator ``system``),
so roles, clearance and the audit log apply exactly as they do for the API.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from puente.cli.context import AS_USER, errors, state, table

network_app = typer.Typer(
    help="Network analysis on resolved entities. / Análisis de redes.", no_args_is_help=True
)
KINDS = typer.Option([], "--kind", help="Only these relations (repeatable): call, payment…")
SINCE = typer.Option(None, "--since", help="Edges dated on or after (YYYY[-MM[-DD]])")
UNTIL = typer.Option(None, "--until", help="Edges dated on or before")
JSON = typer.Option(False, "--json", help="Print JSON instead of tables")


def _filters(kinds: list[str], since: str | None, until: str | None) -> Any:
    from puente.network.service import Filters

    return Filters(tuple(kinds) or None, since, until)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def _entity(e: dict[str, Any]) -> str:
    return f"{e['caption']} ({e['id']})"


def _moved(pair: tuple[Any, Any], spec: str = "") -> str:
    before, after = pair
    return f"{before:{spec}} → {after:{spec}}"


@network_app.command("refresh")
def refresh(ctx: typer.Context) -> None:
    """Bring the derived edges up to the change feed. / Actualiza la red."""
    from puente.network.derive import refresh as do

    st = state(ctx)
    with errors(st), st.opened() as node:
        st.say("network.refreshed", **do(node).to_dict())


@network_app.command("communities")
def communities(
    ctx: typer.Context,
    kind: list[str] = KINDS,
    since: str | None = SINCE,
    until: str | None = UNTIL,
    limit: int = typer.Option(20, "--limit", min=1, max=10_000),
    as_json: bool = JSON,
    as_user: str | None = AS_USER,
) -> None:
    """Communities (Leiden) with ids stable across reruns. / Comunidades."""
    from puente.network import service

    st = state(ctx)
    with errors(st):
        out = st.call(as_user, service.communities, _filters(kind, since, until), limit=limit)
        if as_json:
            return _print_json(out)
        st.say("network.summary", entities=out["entities"], communities=out["communities"])
        table(
            st,
            ("network.col_community", "network.col_size", "network.col_members"),
            (
                (c["id"], c["size"], ", ".join(m["caption"] for m in c["members"][:5]))
                for c in out["items"]
            ),
            fold=True,
        )


@network_app.command("key-players")
def key_players(
    ctx: typer.Context,
    k: int = typer.Option(10, "--k", min=1, max=100, help="Size of the KPP sets"),
    samples: int = typer.Option(100, "--samples", min=1, max=10_000, help="Pivots (large graphs)"),
    community: str | None = typer.Option(None, "--community", help="Within this community"),
    top: int = typer.Option(20, "--top", min=1, max=1000),
    kind: list[str] = KINDS,
    since: str | None = SINCE,
    until: str | None = UNTIL,
    as_json: bool = JSON,
    as_user: str | None = AS_USER,
) -> None:
    """Key players: centrality and Borgatti's KPP sets. / Actores clave."""
    from puente.network import service

    st = state(ctx)
    with errors(st):
        filters = _filters(kind, since, until)
        out = st.call(
            as_user,
            service.key_players,
            filters,
            k=k,
            samples=samples,
            community=community,
            top=top,
        )
        if as_json:
            return _print_json(out)
        st.say(
            "network.betweenness_exact" if out["exact"] else "network.betweenness_sampled",
            samples=samples,
        )
        cols = ("entity", "degree", "betweenness", "eigenvector")
        table(
            st,
            [f"network.col_{c}" for c in cols],
            (
                (_entity(r), r["degree"], f"{r['betweenness']:.5f}", f"{r['eigenvector']:.3f}")
                for r in out["centrality"]
            ),
            fold=True,
        )
        if out["kpp_neg"] is None:
            st.say("network.kpp_skipped", entities=out["entities"], limit=service.KPP_LIMIT)
            return
        before, after = out["kpp_neg"]["fragmentation"]
        st.say(
            "network.kpp_neg",
            before=f"{before:.3f}",
            after=f"{after:.3f}",
            members=", ".join(out["kpp_neg"]["members"]),
        )
        st.say(
            "network.kpp_pos",
            reach=f"{100 * out['kpp_pos']['reach']:.1f}",
            members=", ".join(out["kpp_pos"]["members"]),
        )


@network_app.command("path")
def path(
    ctx: typer.Context,
    a: str = typer.Argument(..., help="Entity, record or edge-record id (e.g. a seizure)"),
    b: str = typer.Argument(..., help="Entity, record or edge-record id"),
    k: int = typer.Option(1, "--k", min=1, max=20, help="k shortest paths"),
    kind: list[str] = KINDS,
    since: str | None = SINCE,
    until: str | None = UNTIL,
    as_json: bool = JSON,
    as_user: str | None = AS_USER,
) -> None:
    """Shortest (or k shortest) paths between two entities. / Caminos."""
    from puente.network import service

    st = state(ctx)
    with errors(st):
        out = st.call(as_user, service.path, a, b, _filters(kind, since, until), k=k)
        if as_json:
            return _print_json(out)
        if not out["paths"]:
            st.say("network.no_path", a=a, b=b)
            raise typer.Exit(1)
        for n, p in enumerate(out["paths"], start=1):
            steps = " → ".join(_entity(e) for e in p["entities"])
            st.say("network.path", n=n, hops=p["hops"], steps=steps)


@network_app.command("neighbours")
def neighbours(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Entity, record or edge-record id"),
    hops: int = typer.Option(2, "--hops", min=0, max=6),
    limit: int = typer.Option(500, "--limit", min=1, max=20_000),
    kind: list[str] = KINDS,
    since: str | None = SINCE,
    until: str | None = UNTIL,
    as_json: bool = JSON,
    as_user: str | None = AS_USER,
) -> None:
    """Entities within N hops, with type and time filters (link-chart JSON). / Vecinos."""
    from puente.network import views

    st = state(ctx)
    with errors(st):
        filters = _filters(kind, since, until)
        out = st.call(as_user, views.neighbours, ref, filters, hops=hops, limit=limit, lang=st.lang)
        if as_json:
            return _print_json(out)
        more = st.t("network.truncated") if out["truncated"] else ""
        st.say(
            "network.neighbours",
            nodes=len(out["nodes"]),
            edges=len(out["edges"]),
            hops=hops,
            id=ref,
            more=more,
        )
        st.console.print(out["banner"], highlight=False, markup=False)
        table(
            st,
            ("network.col_entity", "network.col_degree", "network.col_community"),
            (
                (_entity(n), n["degree"], n["community"] or "")
                for n in sorted(out["nodes"], key=lambda n: (-n["degree"], n["id"]))[:50]
            ),
            fold=True,
        )


@network_app.command("whatif")
def whatif(
    ctx: typer.Context,
    remove: str = typer.Option(..., "--remove", help="Comma-separated ids (arrests)"),
    kind: list[str] = KINDS,
    since: str | None = SINCE,
    until: str | None = UNTIL,
    as_json: bool = JSON,
    as_user: str | None = AS_USER,
) -> None:
    """Remove entities (arrests) and compare fragmentation and reach. / ¿Y si…?"""
    from puente.network import service

    ids = [r.strip() for r in remove.split(",") if r.strip()]
    st = state(ctx)
    with errors(st):
        out = st.call(as_user, service.whatif, ids, _filters(kind, since, until))
        if as_json:
            return _print_json(out)
        for label, shape in (("network.before", out["before"]), ("network.after", out["after"])):
            st.say(
                "network.shape",
                label=st.t(label),
                **{
                    **shape,
                    "fragmentation": f"{shape['fragmentation']:.4f}",
                    "reach": f"{shape['reach']:.4f}",
                },
            )
        st.say("network.cut_off", count=len(out["cut_off"]))


def _window(value: str | None) -> tuple[str, str] | None:
    if not value:
        return None
    since, _, until = value.partition(":")
    return since, until or since


@network_app.command("change")
def change(
    ctx: typer.Context,
    at: str | None = typer.Option(None, "--at", help="An arrest or seizure date"),
    days: int = typer.Option(180, "--days", min=1, max=3660, help="Window before and after"),
    first: str | None = typer.Option(None, "--first", help="SINCE:UNTIL"),
    second: str | None = typer.Option(None, "--second", help="SINCE:UNTIL"),
    kind: list[str] = KINDS,
    as_json: bool = JSON,
    as_user: str | None = AS_USER,
) -> None:
    """Who rose and who fell between two time windows. / Cambios en el tiempo."""
    from puente.network import service

    st = state(ctx)
    with errors(st):
        out = st.call(
            as_user,
            service.over_time,
            at=at,
            days=days,
            first=_window(first),
            second=_window(second),
            filters=_filters(kind, None, None),
        )
        if as_json:
            return _print_json(out)
        w1, w2 = out["windows"]
        st.say("network.windows", first=" → ".join(w1), second=" → ".join(w2))
        for key in ("rose", "fell"):
            table(
                st,
                ("network.col_entity", "network.col_betweenness", "network.col_degree"),
                (
                    (_entity(r), _moved(r["betweenness"], ".5f"), _moved(r["degree"]))
                    for r in out[key][:15]
                ),
                fold=True,
                title=st.t(f"network.{key}"),
            )


@network_app.command("export")
def export(
    ctx: typer.Context,
    fmt: str = typer.Option("graphml", "--format", help="graphml | gexf | csv | ftm | json"),
    out: Path | None = typer.Option(None, "--out", help="File to write (default: stdout)"),
    focus: str | None = typer.Option(None, "--focus", help="Only the neighbourhood of this id"),
    hops: int = typer.Option(2, "--hops", min=0, max=6),
    kind: list[str] = KINDS,
    since: str | None = SINCE,
    until: str | None = UNTIL,
    as_user: str | None = AS_USER,
) -> None:
    """Export the network for Gephi, yEd, Aleph or a spreadsheet. / Exporta la red."""
    from puente.network import views

    st = state(ctx)
    with errors(st):
        filters = _filters(kind, since, until)
        data = st.call(as_user, views.export, fmt, filters, focus=focus, hops=hops, lang=st.lang)
        if out is None:
            sys.stdout.buffer.write(data)
            return
        out.write_bytes(data)
        st.say("network.exported", format=fmt, bytes=len(data), path=str(out))


@network_app.command("load-cartels")
def load_cartels(
    ctx: typer.Context,
    folder: Path = typer.Argument(..., help="Folder with the BACRIM2020_*.csv files"),
    as_user: str | None = AS_USER,
) -> None:
    """Load the 2020 alliance and rivalry networks of Mexican criminal groups."""
    from puente.access import require_role
    from puente.network.cartels import load_cartels as do

    st = state(ctx)
    with errors(st):
        with st.session(as_user) as (node, user):
            require_role(user, "analyst", "releasing_officer")
            reports = do(node, folder, actor=user.username)
        for r in reports:
            st.say("network.loaded", **r.to_dict())
