"""``puente query`` and ``puente requests …``: asking partners hit/no-hit questions and
following hits up from the command line (pairs, keys and logs: ``cli/hitnohit``).
Rendering only: every action goes through ``puente.hitnohit.service`` as a user
(``--as USER`` or the local operator ``system``), so roles and audit apply."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from puente.cli.context import AS_USER, CliState, errors, state, table
from puente.cli.hitnohit import hitnohit_app

JSON = typer.Option(False, "--json", help="JSON output")
requests_app = typer.Typer(help="Follow-up requests (step 2) / Solicitudes", no_args_is_help=True)


def query_cmd(
    ctx: typer.Context,
    partner: str = typer.Argument(..., help="Partner to ask (US, MX…)"),
    person: str = typer.Option("", "--person", help="Full name"),
    dob: str = typer.Option("", "--dob", help="Date of birth YYYY-MM-DD (or YYYY)"),
    sex: str = typer.Option("", "--sex", help="male | female"),
    nationality: str = typer.Option("", "--nationality", help="Country code"),
    person_passport: str = typer.Option(
        "", "--person-passport", help="The person's passport number (evidence, with --person)"
    ),
    person_phone: str = typer.Option(
        "", "--person-phone", help="The person's phone (evidence, with --person)"
    ),
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
            asks.append(person_ask(person, dob, sex, nationality, person_passport, person_phone))
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
        answer = st.call(as_user, service.ask, partner, asks)
        out = answer.to_dict(asks)
        if as_json:
            return st.print_json(out)
        table(
            st,
            [f"hitnohit.col_{c}" for c in ("item", "type", "query", "answer", "refs")],
            (
                (
                    r["item"],
                    r["type"],
                    r["label"],
                    st.t("hitnohit.hit" if r["hit"] else "hitnohit.nohit"),
                    " ".join(r["refs"]),
                )
                for r in out["results"]
            ),
        )
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


def _requests_table(st: CliState, rows: list[dict[str, Any]]) -> None:
    if not rows:
        st.say("hitnohit.no_requests")
        return
    overdue = st.t("hitnohit.overdue")
    table(
        st,
        [f"hitnohit.col_{c}" for c in ("id", "direction", "partner", "case", "status", "due")],
        (
            (
                r["id"],
                r["direction"],
                r["partner"],
                r["case_number"],
                f"{r['status']} {overdue}" if r["overdue"] else r["status"],
                r["due_at"],
            )
            for r in rows
        ),
    )


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
        rows = [r.to_dict() for r in st.call(as_user, service.request_list, direction, status)]
        if as_json:
            st.print_json(rows)
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
        priority = "urgent" if urgent else "normal"
        req = st.call(as_user, service.request_create, ref, case, justification, priority)
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
        req = st.call(as_user, service.request_approve, rid, redact, detail, handling, note)
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
        req = st.call(as_user, service.request_refuse, rid, reason)
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
        changed = st.call(as_user, service.request_sync, partner)
        st.say("hitnohit.synced", count=len(changed), partner=partner.upper())
        _requests_table(st, [r.to_dict() for r in changed]) if changed else None


def register(app: typer.Typer) -> None:
    app.command("query")(query_cmd)
    app.add_typer(requests_app, name="requests")
    app.add_typer(hitnohit_app, name="hitnohit")
