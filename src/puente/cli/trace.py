"""``puente trace``: firearm tracing from the command line (rendering only).

Requesting node: ``request``, ``status``, ``results``, ``step2``. Answering node:
``process``, ``inbound``, ``decide``, ``index``. Both: ``indicators``, ``chains``.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import typer

from puente.cli.context import CliState, errors, state, table
from puente.errors import InvalidInput

trace_app = typer.Typer(help="Firearm tracing / Rastreo de armas de fuego", no_args_is_help=True)
AS_USER = typer.Option(None, "--as", help="Act as this user / Actuar como este usuario")
JSON = typer.Option(False, "--json", help="Print JSON / Imprimir JSON")
RECOVERY = ("date", "state", "municipality", "agency")


def read_items(path: Path) -> list[Any]:
    """Items from ``.json`` (a list or ``{"items": […]}``), ``.jsonl`` or ``.csv`` (one gun a
    row: firearm columns, then date/state/municipality/agency of the recovery)."""
    try:
        text = path.read_text("utf-8")
        if path.suffix == ".jsonl":
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        if path.suffix == ".json":
            data = json.loads(text)
            return list(data["items"] if isinstance(data, dict) else data)
        if path.suffix == ".csv":
            rows = list(csv.DictReader(text.splitlines()))
            return [
                {
                    "firearm": {k: v for k, v in r.items() if k not in RECOVERY and v},
                    "recovery": {k: r.get(k, "") for k in RECOVERY},
                }
                for r in rows
            ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput("trace.bad_file", path=str(path)) from exc
    raise InvalidInput("trace.bad_file", path=str(path))


@trace_app.command("request")
def request_cmd(
    ctx: typer.Context,
    file: Path | None = typer.Argument(None, help="Firearms (.json, .jsonl, .csv)"),
    to: str = typer.Option(..., "--to", help="Partner asked (US…)"),
    recovery: str = typer.Option("", "--recovery", help="Trace every gun of this seizure"),
    seizure: str = typer.Option("", "--seizure", help="Seizure reference"),
    as_user: str | None = AS_USER,
) -> None:
    """Send a trace request. / Enviar una solicitud de rastreo."""
    from puente.trace import requests
    from puente.trace import seizure as seizures

    st = state(ctx)
    with errors(st):
        with st.session(as_user) as (node, user):
            if recovery:
                rows = seizures.from_recovery(node, user, recovery, to)
            elif file is not None:
                rows = read_items(file)
            else:
                raise InvalidInput("trace.need_items")
            view = requests.create(node, user, to, rows, seizure or recovery)
        _say_sent(st, view)


def _say_sent(st: CliState, view: dict[str, Any]) -> None:
    st.say(
        "trace.sent",
        id=view["request"],
        partner=view["partner"],
        items=len(view["items"]),
        status=st.t("trace.status_" + view["status"]),
    )


@trace_app.command("status")
def status_cmd(
    ctx: typer.Context,
    request: str = typer.Argument(...),
    refresh: bool = typer.Option(False, "--refresh", help="Ask the partner first"),
    as_user: str | None = AS_USER,
    as_json: bool = JSON,
) -> None:
    """Status of a request and its items. / Estado de una solicitud."""
    from puente.trace import requests

    st = state(ctx)
    with errors(st):
        with st.session(as_user) as (node, user):
            if refresh:
                requests.refresh(node, user, request)
            view = requests.status(node, user, request)
        if as_json:
            return st.print_json(view)
        _say_sent(st, view)
        for item in view["items"]:
            st.console.print(f"  {item['item']}: {st.t('trace.status_' + item['status'])}")


def _flags(st: CliState, res: dict[str, Any]) -> str:
    flags = res.get("flags") or {}
    out = [
        st.t("trace.flag_" + k) for k in ("short_time_to_crime", "multiple_sale") if flags.get(k)
    ]
    if flags.get("purchaser_linked"):
        out.append(st.t("trace.flag_purchaser_linked", count=flags["purchaser_linked"]))
    if flags.get("purchaser_known_by_hit"):
        out.append(st.t("trace.flag_known_by_hit"))
    return "; ".join(out)


@trace_app.command("results")
def results_cmd(
    ctx: typer.Context,
    request: str = typer.Argument(...),
    refresh: bool = typer.Option(False, "--refresh", help="Ask the partner first"),
    as_user: str | None = AS_USER,
    as_json: bool = JSON,
) -> None:
    """Results as the partner released them. / Resultados liberados por el socio."""
    from puente.trace import requests

    st = state(ctx)
    with errors(st):
        view = st.call(as_user, requests.refresh if refresh else requests.results, request)
        if as_json:
            return st.print_json(view)
        cols = ("item", "status", "firearm", "dealer", "purchase", "ttc", "flags", "purchaser")
        table(st, [f"trace.col_{c}" for c in cols], (_result_row(st, it) for it in view["items"]))


def _result_row(st: CliState, it: dict[str, Any]) -> tuple[object, ...]:
    res, gun = it["result"], it["firearm"]
    dealer = res.get("dealer") or {}
    buyer = res.get("purchaser") or {}
    who = buyer.get("name") or (st.t("trace.purchaser_held") if res.get("purchaser_held") else "")
    return (
        it["item"],
        st.t("trace.status_" + it["status"]),
        f"{gun.get('make', '')} {gun.get('model', '')} {gun.get('serial', '')}",
        f"{dealer.get('name', '')} {dealer.get('state', '')}".strip(),
        res.get("purchase_date", ""),
        res.get("time_to_crime_days", ""),
        _flags(st, res),
        who,
    )


@trace_app.command("step2")
def step2_cmd(
    ctx: typer.Context,
    request: str = typer.Argument(...),
    item: int = typer.Argument(...),
    justification: str = typer.Option(..., "--justification", help="Why the identity is needed"),
    as_user: str | None = AS_USER,
) -> None:
    """Ask the partner for a held purchaser's identity. / Solicitud de paso 2."""
    from puente.trace import requests

    st = state(ctx)
    with errors(st):
        answer = st.call(as_user, requests.step2, request, item, justification)
        st.say("trace.step2_state", id=request, item=item, step2=answer.get("step2", ""))


@trace_app.command("process")
def process_cmd(
    ctx: typer.Context,
    request: str = typer.Option("", "--request", help="Only this request"),
    again: bool = typer.Option(False, "--again", help="Match finished items again"),
    as_user: str | None = AS_USER,
) -> None:
    """Match received requests against the acquisitions. / Procesar solicitudes recibidas."""
    from puente.trace import inbound

    st = state(ctx)
    with errors(st):
        report = st.call(as_user, inbound.process, request, again)
        st.say("trace.processed", items=report.items, by_status=report.by_status)


@trace_app.command("inbound")
def inbound_cmd(ctx: typer.Context, as_user: str | None = AS_USER, as_json: bool = JSON) -> None:
    """Requests received from partners. / Solicitudes recibidas."""
    from puente.trace import inbound

    st = state(ctx)
    with errors(st):
        rows = st.call(as_user, inbound.pending)
        if as_json:
            return st.print_json(rows)
        if not rows:
            st.say("trace.nothing")
            return
        cols = ("request", "item", "partner", "status", "step2")
        table(
            st,
            [f"trace.col_{c}" for c in cols],
            (
                (
                    r["request"],
                    r["item"],
                    r["partner"],
                    st.t(f"trace.status_{r['status']}"),
                    r["step2"],
                )
                for r in rows
            ),
        )


@trace_app.command("decide")
def decide_cmd(
    ctx: typer.Context,
    request: str = typer.Argument(...),
    item: int = typer.Argument(...),
    approve: bool = typer.Option(..., "--approve/--refuse", help="Release or refuse"),
    note: str = typer.Option("", "--note"),
    as_user: str | None = AS_USER,
) -> None:
    """Releasing officer: decide a step-2 request. / Decidir una solicitud de paso 2."""
    from puente.trace import step2

    st = state(ctx)
    with errors(st):
        out = st.call(as_user, step2.decide_step2, request, item, approve, note)
        st.say("trace.step2_state", id=request, item=item, step2=out["step2"])


@trace_app.command("index")
def index_cmd(ctx: typer.Context) -> None:
    """Bring the acquisition index up to date. / Actualizar el índice de adquisiciones."""
    from puente.trace import index

    st = state(ctx)
    with errors(st):
        with st.opened() as node:
            report = index.refresh(node)
        st.say(
            "trace.indexed",
            guns=report.guns,
            cursor=report.cursor,
            acquisitions=report.acquisitions,
        )


@trace_app.command("indicators")
def indicators_cmd(
    ctx: typer.Context,
    side: str = typer.Option("", "--side", help="out (sent) | in (answered)"),
    as_user: str | None = AS_USER,
    as_json: bool = JSON,
) -> None:
    """Tracing indicators. / Indicadores de rastreo."""
    from puente.trace import indicators

    st = state(ctx)
    with errors(st):
        ind = st.call(as_user, indicators.compute, side).to_dict()
        if as_json:
            return st.print_json(ind)
        ttc = ind["time_to_crime"]
        st.say(
            "trace.ind_title",
            side=ind["side"],
            items=ind["items"],
            share=f"{ind['traced_share']:.1%}",
        )
        st.say(
            "trace.ind_ttc",
            median=ttc["median_days"],
            p25=ttc["p25_days"],
            p75=ttc["p75_days"],
            short=ttc["short_share"],
        )
        st.say("trace.ind_categories", **ind["categories"])
        for title, key, name in (
            ("trace.ind_top_dealers", "top_dealers", "dealer"),
            ("trace.ind_top_states", "top_source_states", "state"),
            ("trace.ind_linked", "linked_purchasers", "purchaser"),
        ):
            st.say(title)
            for row in ind[key]:
                st.console.print(f"  {row[name]}: {row['traces']}", highlight=False, markup=False)


@trace_app.command("chains")
def chains_cmd(ctx: typer.Context, as_user: str | None = AS_USER) -> None:
    """Trafficking chains as typed edges (JSON lines). / Cadenas de tráfico."""
    from puente.trace import chains

    st = state(ctx)
    with errors(st), st.session(as_user) as (node, user):
        for edge in chains.trafficking_chains(node, user):
            st.console.print(
                json.dumps(edge.to_dict(), ensure_ascii=False),
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
