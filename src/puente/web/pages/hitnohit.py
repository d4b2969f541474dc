"""Hit/no-hit queries and requests for information: an analyst asks a partner whether it
holds a person, a serial with its make or a phone (only keyed encodings leave the node),
reads the answers (hit / no hit with opaque references) and sends a follow-up request
(case number, justification, urgency); a releasing officer works the queue of incoming
requests, soonest deadline first (urgent 8 h, normal 48 h, overdue marked), and approves
(with redactions, detail and handling) or refuses with a reason.

Invariants: every action goes through ``puente.hitnohit.service`` (roles and audit are
applied there, as for the API); the record behind an incoming request is read through
``access.read_record`` (clearance-checked, audited) and its markings are reported to the
banner; the query form and answers show no record content, so they add no markings.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from puente import access
from puente.errors import Forbidden, NotFound
from puente.hitnohit import service
from puente.hitnohit.ask import Ask, person_ask
from puente.hitnohit.requests import Request
from puente.model.record import Record
from puente.web import fmt
from puente.web.layout import NavItem, PageCtx, page, register, work
from puente.web.widgets import graph_caption, markings_card, record_href

ROLES = ("analyst", "releasing_officer")
KINDS = ("person", "firearm", "phone", "passport", "curp", "plate", "vin")
Refill = Callable[[], Awaitable[None]]
register(NavItem("/ui/hitnohit", "webtrace.nav_hitnohit", "manage_search", ROLES, 45))


@page("/ui/hitnohit", "webtrace.nav_hitnohit")
async def hitnohit_page(ctx: PageCtx) -> None:
    access.require_role(ctx.user, *ROLES)
    with ui.column().classes("w-full p-4 gap-4"):
        if ctx.user.has("analyst"):
            ask_box = ui.column().classes("w-full")
            refill = await _outgoing(ctx)
            with ask_box:
                _ask_form(ctx, refill)
        if ctx.user.has("releasing_officer"):
            await _queue(ctx)


def _ask_form(ctx: PageCtx, sent: Refill) -> None:
    partners = sorted(ctx.node.partners())
    with ui.card().classes("w-full"):
        ui.label(ctx.t("webtrace.ask_title")).classes("text-h6")
        with ui.row().classes("items-end gap-2"):
            partner = ui.select(
                partners, value=partners[0] if partners else None, label=ctx.t("webtrace.partner")
            ).props('data-testid="hnh-partner"')
            kind = ui.select(
                {k: ctx.t(f"webtrace.kind_{k}") for k in KINDS},
                value="person",
                label=ctx.t("webtrace.kind"),
            ).props('data-testid="hnh-kind"')
            value = ui.input(ctx.t("webtrace.value")).props('data-testid="hnh-value"')
            make = ui.input(ctx.t("webtrace.make")).props('data-testid="hnh-make"')
            dob = ui.input(ctx.t("webtrace.dob"), placeholder="AAAA-MM-DD").props(
                'data-testid="hnh-dob" maxlength=10'
            )
            passport = ui.input(ctx.t("webtrace.passport")).props(
                'data-testid="hnh-passport" maxlength=60'
            )
            phone = ui.input(ctx.t("webtrace.phone")).props('data-testid="hnh-phone" maxlength=60')
            ask_btn = ui.button(ctx.t("webtrace.ask"), icon="manage_search")
            ask_btn.props('data-testid="hnh-ask"')
        make.bind_visibility_from(kind, "value", lambda k: k == "firearm")
        for field in (dob, passport, phone):
            field.bind_visibility_from(kind, "value", lambda k: k == "person")
        answers = ui.column().classes("w-full gap-1").props('data-testid="hnh-answers"')

    def build() -> Ask:
        text = (value.value or "").strip()
        if kind.value == "person":
            return person_ask(
                text,
                (dob.value or "").strip(),
                passport=passport.value or "",
                phone=phone.value or "",
            )
        return Ask(str(kind.value), text, (make.value or "").strip(), label=text)

    async def do_ask() -> None:
        asks = [build()]
        got = await work(service.ask, ctx.node, ctx.user, str(partner.value or ""), asks)
        data = got.to_dict(asks)
        answers.clear()
        with answers:
            ui.label(
                ctx.t(
                    "hitnohit.query_done",
                    query=data["query"],
                    partner=data["partner"],
                    hits=sum(1 for r in data["results"] if r["hit"]),
                    items=len(data["results"]),
                    used=data["quota"]["used"],
                    limit=data["quota"]["limit"],
                    contact=data["contact"] or "—",
                )
            ).classes("text-caption")
            for res in data["results"]:
                word = ctx.t("hitnohit.hit" if res["hit"] else "hitnohit.nohit")
                ui.label(f"{res['label']}: {word}").classes(
                    "text-bold " + ("text-positive" if res["hit"] else "text-grey-8")
                ).props(f'data-testid="hnh-result-{"hit" if res["hit"] else "nohit"}"')
                for ref in res["refs"]:
                    _request_form(ctx, ref, sent)

    ask_btn.on_click(ctx.guard(do_ask))


def _request_form(ctx: PageCtx, ref: str, sent: Refill) -> None:
    with ui.card().classes("w-full").props(f'data-testid="hnh-ref-{ref}"'):
        ui.label(ctx.t("webtrace.ref", ref=ref)).classes("text-caption")
        with ui.row().classes("items-end gap-2 w-full"):
            case = ui.input(ctx.t("webtrace.case")).props('data-testid="rfi-case" maxlength=100')
            why = ui.input(ctx.t("webtrace.justification")).classes("grow")
            why.props('data-testid="rfi-why" maxlength=4000')
            urgent = ui.checkbox(ctx.t("webtrace.urgent")).props('data-testid="rfi-urgent"')
            send = ui.button(ctx.t("webtrace.send_request"), icon="send")
            send.props('data-testid="rfi-send"')

    async def do_send() -> None:
        req = await work(
            service.request_create,
            ctx.node,
            ctx.user,
            ref,
            case.value or "",
            why.value or "",
            "urgent" if urgent.value else "normal",
        )
        send.disable()
        ui.notify(
            ctx.t(
                "hitnohit.request_sent",
                id=req.id,
                partner=req.partner,
                due_at=fmt.moment(req.due_at, ctx.lang),
            ),
            type="positive",
        )
        await sent()

    send.on_click(ctx.guard(do_send))


def _columns(ctx: PageCtx, names: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {"name": n, "label": ctx.t(f"webtrace.col_{n}"), "field": n, "align": "left"} for n in names
    ]


def _row(ctx: PageCtx, r: Request) -> dict[str, Any]:
    status = "overdue" if r.overdue else r.status
    return {
        "id": r.id,
        "partner": r.partner,
        "case": r.case_number,
        "urgency": ctx.t(f"webtrace.urgency_{r.urgency}"),
        "status": ctx.t(f"webtrace.status_{status}"),
        "overdue": r.overdue,
        "due": fmt.moment(r.due_at, ctx.lang),
        "by": r.created_by,
        "reason": r.reason,
        "release": r.release_id,
    }


async def _outgoing(ctx: PageCtx) -> Refill:
    with ui.card().classes("w-full"):
        with ui.row().classes("items-center gap-2"):
            ui.label(ctx.t("webtrace.outgoing")).classes("text-h6")
            sync_btn = ui.button(ctx.t("webtrace.fetch_decisions"), icon="sync")
            sync_btn.props('outline data-testid="rfi-sync"')
        table = ui.table(
            columns=_columns(
                ctx, ("id", "partner", "case", "urgency", "status", "due", "reason", "release")
            ),
            rows=[],
            row_key="id",
        ).classes("w-full")
        table.props(
            f'dense flat bordered data-testid="rfi-out" no-data-label="{ctx.t("web.no_data")}"'
        )

    async def fill() -> None:
        rows = await work(service.request_list, ctx.node, ctx.user, "out", None)
        table.rows = [_row(ctx, r) for r in rows]
        table.update()

    async def do_sync() -> None:
        changed = 0
        for code in sorted({r["partner"] for r in table.rows}):
            changed += len(await work(service.request_sync, ctx.node, ctx.user, code))
        ui.notify(ctx.t("webtrace.synced", count=changed))
        await fill()

    sync_btn.on_click(ctx.guard(do_sync))
    await fill()
    return fill


async def _queue(ctx: PageCtx) -> None:
    with ui.card().classes("w-full"):
        with ui.row().classes("items-center gap-2"):
            ui.label(ctx.t("webtrace.queue")).classes("text-h6")
            only_overdue = ui.checkbox(ctx.t("webtrace.only_overdue"))
            only_overdue.props('data-testid="rfi-only-overdue"')
        box = ui.column().classes("w-full gap-2").props('data-testid="rfi-queue"')

    async def fill() -> None:
        status = "overdue" if only_overdue.value else "pending"
        rows = await work(service.request_list, ctx.node, ctx.user, "in", status)
        log = await work(service.query_log, ctx.node, ctx.user, "in", 1000)
        target = {h["ref"]: h["record_id"] for q in log for h in q["refs"]}
        box.clear()
        shown: list[Record] = []
        with box:
            if not rows:
                ui.label(ctx.t("hitnohit.no_requests"))
            for r in rows:
                record = await _read(ctx, target.get(r.hit_ref, ""))
                if record is not None:
                    shown.append(record)
                _incoming(ctx, r, record, fill)
        ctx.screen.show("rfi-queue", [rec.markings for rec in shown])

    only_overdue.on_value_change(ctx.guard(fill))
    await fill()


async def _read(ctx: PageCtx, rid: str) -> Record | None:
    if not rid:
        return None
    try:
        return await work(access.read_record, ctx.node, ctx.user, rid)
    except (Forbidden, NotFound):
        return None


def _incoming(ctx: PageCtx, r: Request, record: Record | None, again: Refill) -> None:
    row = _row(ctx, r)
    colour = "border-red-8 border-2" if r.overdue else ""
    with ui.card().classes(f"w-full {colour}").props(f'data-testid="rfi-in-{r.id}"'):
        ui.label(
            ctx.t(
                "webtrace.incoming",
                id=r.id,
                partner=r.partner,
                case=r.case_number,
                urgency=row["urgency"],
                due=row["due"],
            )
        ).classes("text-bold")
        ui.label(row["status"]).classes(
            "text-negative text-bold" if r.overdue else "text-caption"
        ).props('data-testid="rfi-status"')
        ui.label(ctx.t("webtrace.why", text=r.justification)).classes("text-caption")
        if record is None:
            ui.label(ctx.t("webtrace.record_hidden")).classes("text-caption")
            props: list[str] = []
        else:
            ui.link(f"{graph_caption(record)} ({record.schema})", record_href(record.id))
            markings_card(ctx, record, f"rfi-markings-{r.id}")
            props = sorted(record.properties)
        with ui.row().classes("items-end gap-2 w-full"):
            redact = ui.select(props, multiple=True, value=[], label=ctx.t("webtrace.redact"))
            redact.classes("min-w-60").props('data-testid="rfi-redact" use-chips')
            detail = ui.select(
                {d: ctx.t(f"webtrace.detail_{d}") for d in ("full", "reduced")},
                value="full",
                label=ctx.t("webtrace.detail"),
            )
            handling = ui.select(
                ["H0", "H1", "H2", "H3"], value="H2", label=ctx.t("web.mark_handling")
            )
            approve = ui.button(ctx.t("webtrace.approve"), color="positive", icon="check")
            approve.props('data-testid="rfi-approve"')
        with ui.row().classes("items-end gap-2 w-full"):
            reason = ui.input(ctx.t("webtrace.reason")).classes("grow")
            reason.props('data-testid="rfi-reason" maxlength=2000')
            refuse = ui.button(ctx.t("webtrace.refuse"), color="negative", icon="block")
            refuse.props('data-testid="rfi-refuse"')

    async def do_approve() -> None:
        done = await work(
            service.request_approve,
            ctx.node,
            ctx.user,
            r.id,
            list(redact.value or []),
            str(detail.value),
            str(handling.value),
            reason.value or "",
        )
        ui.notify(
            ctx.t("webtrace.approved", id=done.id, release=done.release_id, partner=done.partner),
            type="positive",
        )
        await again()

    async def do_refuse() -> None:
        await work(service.request_refuse, ctx.node, ctx.user, r.id, reason.value or "")
        ui.notify(ctx.t("hitnohit.request_refused", id=r.id))
        await again()

    if r.status == "pending":
        approve.on_click(ctx.guard(do_approve))
        refuse.on_click(ctx.guard(do_refuse))
    else:
        approve.disable()
        refuse.disable()
