"""``puente query``, ``puente requests …`` and ``puente hitnohit …``: hit/no-hit from the
command line. Rendering only: every action goes through ``puente.hitnohit.service`` as
a user (``--as USER`` or the local operator ``system``), so roles and audit apply."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from puente.cli.context import CliState, add_row, errors, state

AS_USER = typer.Option(None, "--as", help="Act as this local user (default: system)")
JSON = typer.Option(False, "--json", help="JSON output")
requests_app = typer.Typer(help="Follow-up requests (step 2) / Solicitudes", no_args_is_help=True)
hitnohit_app = typer.Typer(
    help="Hit/no-hit pairs, keys and logs / Parejas, claves y registros", no_args_is_help=True
)


def query_cmd(
    ctx: typer.Context,
    partner: str = typer.Argument(..., help="Partner to ask (US, MX…)"),
    person: str = typer.Option("", "--person", help="Full name"),
    dob: str = typer.Option("", "--dob", help="Date of birth YYYY-MM-DD (or YYYY)"),
    sex: str = typer.Option("", "--sex", help="male | female"),
    nationality: str = typer.Option("", "--nationality", help="Country code"),
    serial: str = typer.Option("", "--serial", help="Firearm serial number (with --make)"),
    make: str = typer.Option("", "--make", help="Firearm make"),
    phone: str = typer.Option("", "--phone", help="Phone number"),
    ident: list[str] = typer.Option([], "--id", help="TYPE=VALUE, e.g. curp=… passport=… mmsi=…"),
    file: Path | None = typer.Option(None, "--file", help="Batch CSV: type,value,make,name,dob,…"),
    as_json: bool = JSON,
    as_user: str | None = AS_USER,
) -> None:
    """Ask a partner whether it holds a person, gun, phone, vessel… / Consultar a un socio."""
    from puente.errors import InvalidInput
    from puente.hitnohit import service
    from puente.hitnohit.ask import Ask, person_ask, read_batch

    st = state(ctx)
    with errors(st):
        asks: list[Ask] = []
        if person:
            asks.append(person_ask(person, dob, sex, nationality))
        if serial or make:
            asks.append(Ask("firearm", serial, make, label=f"{make} {serial}"))
        if phone:
            asks.append(Ask("phone", phone, label=phone))
        for item in ident:
            kind, _, value = item.partition("=")
            asks.append(Ask(kind.strip().lower(), value.strip(), label=value.strip()))
        if file is not None:
            asks.extend(read_batch(file.read_text("utf-8"), str(file)))
        if not asks:
            raise InvalidInput(
                "hitnohit.bad_query", reason="--person | --serial | --phone | --id | --file"
            )
        node = st.open_node()
        answer = service.ask(node, st.actor(node, as_user), partner, asks)
        out = answer.to_dict(asks)
        if as_json:
            st.console.print_json(json.dumps(out))
            return
        table = Table()
        for col in ("item", "type", "query", "answer", "refs"):
            table.add_column(st.t(f"hitnohit.col_{col}"))
        for r in out["results"]:
            verdict = st.t("hitnohit.hit" if r["hit"] else "hitnohit.nohit")
            add_row(table, r["item"], r["type"], r["label"], verdict, " ".join(r["refs"]))
        st.console.print(table)
        st.say(
            "hitnohit.query_done",
            query=answer.query_id,
            partner=answer.partner,
            hits=sum(1 for h in answer.hits if h),
            items=len(asks),
            used=answer.used,
            limit=answer.limit,
            contact=answer.contact or "-",
        )


def _requests_table(st: CliState, rows: list[dict[str, object]]) -> None:
    if not rows:
        st.say("hitnohit.no_requests")
        return
    table = Table()
    for col in ("id", "direction", "partner", "case", "status", "due"):
        table.add_column(st.t(f"hitnohit.col_{col}"))
    for r in rows:
        status = f"{r['status']} {st.t('hitnohit.overdue')}" if r["overdue"] else r["status"]
        add_row(table, r["id"], r["direction"], r["partner"], r["case_number"], status, r["due_at"])
    st.console.print(table)


@requests_app.command("list")
def requests_list(
    ctx: typer.Context,
    direction: str | None = typer.Option(None, "--direction", help="in | out"),
    status: str | None = typer.Option(None, "--status", help="pending | overdue | approved…"),
    as_json: bool = JSON,
    as_user: str | None = AS_USER,
) -> None:
    """Requests made and received, soonest deadline first. / Solicitudes."""
    from puente.hitnohit import service

    st = state(ctx)
    with errors(st):
        node = st.open_node()
        rows = [
            r.to_dict()
            for r in service.request_list(node, st.actor(node, as_user), direction, status)
        ]
        if as_json:
            st.console.print_json(json.dumps(rows))
        else:
            _requests_table(st, rows)


@requests_app.command("create")
def requests_create(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Hit reference from a query answer"),
    case: str = typer.Option(..., "--case", help="Case number"),
    justification: str = typer.Option(..., "--justification", help="Why the record is needed"),
    urgent: bool = typer.Option(False, "--urgent", help="Urgent: due in 8 h (else 48 h)"),
    as_user: str | None = AS_USER,
) -> None:
    """Ask the owner of a hit for its record. / Solicitar el registro."""
    from puente.hitnohit import service

    st = state(ctx)
    with errors(st):
        node = st.open_node()
        req = service.request_create(
            node,
            st.actor(node, as_user),
            ref,
            case,
            justification,
            "urgent" if urgent else "normal",
        )
        st.say("hitnohit.request_sent", id=req.id, partner=req.partner, due_at=req.due_at)


@requests_app.command("approve")
def requests_approve(
    ctx: typer.Context,
    rid: str = typer.Argument(..., help="Request id"),
    redact: list[str] = typer.Option([], "--redact", help="Property to leave out (repeatable)"),
    detail: str = typer.Option(
        "full", "--detail", help="full | reduced (dates to year, no contacts)"
    ),
    handling: str = typer.Option("H2", "--handling", help="H0 | H1 | H2 | H3"),
    note: str = typer.Option("", "--note", help="Handling note (required for H3)"),
    as_user: str | None = AS_USER,
) -> None:
    """Approve: release a copy to the requester only. / Aprobar."""
    from puente.hitnohit import service

    st = state(ctx)
    with errors(st):
        node = st.open_node()
        req = service.request_approve(
            node, st.actor(node, as_user), rid, redact, detail, handling, note
        )
        st.say(
            "hitnohit.request_approved",
            id=req.id,
            release_id=req.release_id,
            partner=req.partner,
            handling=req.handling,
        )


@requests_app.command("refuse")
def requests_refuse(
    ctx: typer.Context,
    rid: str = typer.Argument(..., help="Request id"),
    reason: str = typer.Option(..., "--reason", help="Reason the requester will read"),
    as_user: str | None = AS_USER,
) -> None:
    """Refuse with a reason. / Rechazar."""
    from puente.hitnohit import service

    st = state(ctx)
    with errors(st):
        node = st.open_node()
        req = service.request_refuse(node, st.actor(node, as_user), rid, reason)
        st.say("hitnohit.request_refused", id=req.id)


@requests_app.command("sync")
def requests_sync(
    ctx: typer.Context,
    partner: str = typer.Argument(..., help="Owner to ask for decisions"),
    as_user: str | None = AS_USER,
) -> None:
    """Fetch the owner's decisions on our pending requests. / Traer decisiones."""
    from puente.hitnohit import service

    st = state(ctx)
    with errors(st):
        node = st.open_node()
        changed = service.request_sync(node, st.actor(node, as_user), partner)
        st.say("hitnohit.synced", count=len(changed), partner=partner.upper())
        _requests_table(st, [r.to_dict() for r in changed]) if changed else None


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
        node = st.open_node()
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
    with errors(st):
        st.say("hitnohit.x25519_out", **own_x25519(st.open_node()))


@hitnohit_app.command("rotate")
def rotate_cmd(ctx: typer.Context, partner: str = typer.Argument(...)) -> None:
    """Move the pair to its next key epoch. / Rotar las claves de la pareja."""
    from puente.hitnohit import service
    from puente.store.users import SYSTEM

    st = state(ctx)
    with errors(st):
        pair = service.rotate(st.open_node(), SYSTEM, partner)
        st.say(
            "hitnohit.pair_done",
            partner=pair.partner,
            mode=pair.mode,
            epoch=pair.epoch,
            quota=pair.quota,
        )


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
        node = st.open_node()
        rows = service.query_log(node, st.actor(node, as_user), "in" if incoming else "out", limit)
        if as_json:
            st.console.print_json(json.dumps(rows))
            return
        if not rows:
            st.say("hitnohit.no_queries")
            return
        table = Table()
        for col in ("at", "partner", "query", "items", "hits", "refs"):
            table.add_column(st.t(f"hitnohit.col_{col}"))
        for r in rows:
            refs = " ".join(f"{e['ref']}→{e.get('record_id', e['item'])}" for e in r["refs"])
            add_row(table, r["at"], r["partner"], r["id"], r["items"], r["hits"], refs)
        st.console.print(table)


def register(app: typer.Typer) -> None:
    app.command("query")(query_cmd)
    app.add_typer(requests_app, name="requests")
    app.add_typer(hitnohit_app, name="hitnohit")
