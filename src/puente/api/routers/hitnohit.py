"""Hit/no-hit queries and follow-up requests (``puente.hitnohit.service``).

User routes (bearer token): ask a partner, read the query logs, set up pairs, create,
list, approve and refuse requests. Partner routes (``/hitnohit/partner/…``) are signed
by the partner's node key like the exchange feed, with the body bound to the signature
by its SHA-256 (``puente.hitnohit.wire``). Routes only translate HTTP.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from puente.api.deps import NodeDep, UserDep
from puente.api.routers.common import error_responses, from_partner, partner_of
from puente.hitnohit import answer, requests, service
from puente.hitnohit.ask import Ask, person_ask
from puente.hitnohit.pairs import own_x25519
from puente.hitnohit.wire import check_body

router = APIRouter(prefix="/hitnohit", tags=["hitnohit"])
Partner = Annotated[str, Path(max_length=80, description="Partner country")]
RequestId = Annotated[str, Path(max_length=40)]


class AskIn(BaseModel):
    type: str = Field(
        max_length=20,
        description="person | firearm | passport | idnumber | "
        "curp | rfc | phone | plate | vin | mmsi | imo",
    )
    value: str = Field(default="", max_length=200)
    make: str = Field(default="", max_length=200)
    name: str = Field(default="", max_length=300)
    dob: str = Field(default="", max_length=10)
    sex: str = Field(default="", max_length=20)
    nationality: str = Field(default="", max_length=40)
    passport: str = Field(default="", max_length=60, description="person: passport number")
    phone: str = Field(default="", max_length=60, description="person: phone number")

    def ask(self) -> Ask:
        if self.type == "person":
            return person_ask(
                self.name, self.dob, self.sex, self.nationality, self.passport, self.phone
            )
        return Ask(self.type, self.value, self.make, label=self.value)


class QueryIn(BaseModel):
    items: list[AskIn] = Field(min_length=1, max_length=answer.MAX_ITEMS)


class PairIn(BaseModel):
    fetch: bool = Field(default=False, description="Fetch the partner's signed X25519 key")
    x25519: str | None = Field(default=None, max_length=100)
    x25519_sig: str | None = Field(default=None, max_length=200)
    secret: str | None = Field(default=None, max_length=512, description="Out-of-band secret")
    quota: int | None = Field(default=None, ge=0, le=10_000_000)
    max_level: str | None = Field(default=None, max_length=20)
    contact: str | None = Field(default=None, max_length=500)
    epoch: int | None = Field(default=None, ge=1)


class RequestIn(BaseModel):
    hit_ref: str = Field(max_length=40)
    case_number: str = Field(max_length=100)
    justification: str = Field(max_length=4000)
    urgency: Literal["urgent", "normal"] = "normal"


class ApproveIn(BaseModel):
    redact: list[str] = Field(default_factory=list, max_length=100)
    detail: Literal["full", "reduced"] = "full"
    handling: Literal["H0", "H1", "H2", "H3"] = "H2"
    note: str = Field(default="", max_length=2000)


class RefuseIn(BaseModel):
    reason: str = Field(max_length=2000)


@router.post(
    "/query/{partner}",
    summary="Ask a partner: hit / no hit / Consultar a un socio",
    responses=error_responses(400, 401, 403, 404, 422),
)
def ask(node: NodeDep, user: UserDep, partner: Partner, body: QueryIn) -> dict[str, Any]:
    """Encodes every item under the pair's keys, sends only the encodings, and returns per
    item whether the partner holds it with opaque references and its contact point."""
    asks = [item.ask() for item in body.items]
    return service.ask(node, user, partner, asks).to_dict(asks)


@router.get(
    "/queries",
    summary="Query log / Registro de consultas",
    responses=error_responses(400, 401, 403),
)
def queries(
    node: NodeDep,
    user: UserDep,
    direction: Literal["in", "out"] = "out",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Outgoing queries (analysts) or incoming ones with the records hit (releasing
    officers): counts, types, the body digest both sides log, hit references."""
    return service.query_log(node, user, direction, limit)


@router.get("/pairs", summary="Hit/no-hit pairs / Parejas", responses=error_responses(401, 403))
def pair_list(node: NodeDep, user: UserDep) -> list[dict[str, Any]]:
    """Each partner pair: key mode, epoch, daily quota and today's use, level limit."""
    return service.pair_list(node, user)


@router.put(
    "/pairs/{partner}",
    summary="Set up a pair / Configurar una pareja",
    responses=error_responses(400, 401, 403, 404, 422),
)
def pair_put(node: NodeDep, user: UserDep, partner: Partner, body: PairIn) -> dict[str, Any]:
    """Key agreement (the partner's signed X25519 key, fetched or given, or an
    out-of-band secret), quota, highest level answerable, contact point, epoch."""
    data = body.model_dump()
    pair = service.pair_setup(node, user, partner, **data)
    return {**pair.__dict__, "x25519": bool(pair.x25519)}


@router.post(
    "/pairs/{partner}/rotate",
    summary="Rotate pair keys / Rotar claves",
    responses=error_responses(401, 403, 404),
)
def pair_rotate(node: NodeDep, user: UserDep, partner: Partner) -> dict[str, Any]:
    """Moves the pair to its next epoch: every derived key changes on both sides."""
    pair = service.rotate(node, user, partner)
    return {**pair.__dict__, "x25519": bool(pair.x25519)}


@router.post(
    "/requests",
    summary="Request a hit's record / Solicitar un registro",
    responses=error_responses(400, 401, 403, 404, 422),
)
def request_create(node: NodeDep, user: UserDep, body: RequestIn) -> dict[str, Any]:
    """Sends the request (hit reference, case number, justification, urgency) to the owner;
    both sides track its deadline (urgent 8 h, normal 48 h)."""
    return service.request_create(
        node, user, body.hit_ref, body.case_number, body.justification, body.urgency
    ).to_dict()


@router.get("/requests", summary="Requests / Solicitudes", responses=error_responses(400, 401, 403))
def request_list(
    node: NodeDep,
    user: UserDep,
    direction: Literal["in", "out"] | None = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> list[dict[str, Any]]:
    """Requests made and received, soonest deadline first; ``status=overdue`` lists the
    pending ones past their deadline."""
    return [r.to_dict() for r in service.request_list(node, user, direction, status)]


@router.post(
    "/requests/{rid}/approve",
    summary="Approve a request / Aprobar",
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
def request_approve(
    node: NodeDep, user: UserDep, rid: RequestId, body: ApproveIn
) -> dict[str, Any]:
    """Writes the release copy (redactions, detail) marked for the requester only; the
    signed feed carries it on the requester's next sync."""
    return service.request_approve(
        node, user, rid, body.redact, body.detail, body.handling, body.note
    ).to_dict()


@router.post(
    "/requests/{rid}/refuse",
    summary="Refuse a request / Rechazar",
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
def request_refuse(node: NodeDep, user: UserDep, rid: RequestId, body: RefuseIn) -> dict[str, Any]:
    """Refuses a pending request with a reason the requester will read."""
    return service.request_refuse(node, user, rid, body.reason).to_dict()


@router.post(
    "/requests/sync/{partner}",
    summary="Fetch decisions / Traer decisiones",
    responses=error_responses(401, 403, 404),
)
def request_sync(node: NodeDep, user: UserDep, partner: Partner) -> list[dict[str, Any]]:
    """Asks the owner for its decisions on our pending requests; returns those changed."""
    return [r.to_dict() for r in service.request_sync(node, user, partner)]


# --- partner routes -------------------------------------------------------------------


@router.get(
    "/partner/x25519",
    summary="Our signed X25519 key / Clave X25519 firmada",
    responses=error_responses(401),
)
def partner_x25519(request: Request, node: NodeDep) -> dict[str, str]:
    """This node's X25519 public key signed by its Ed25519 node key (pair agreement)."""
    partner_of(request, node)
    return own_x25519(node)


@router.post(
    "/partner/query",
    summary="Answer a partner's batch / Responder consultas",
    responses=error_responses(400, 401, 403, 404, 409, 413),
)
async def partner_query(request: Request, node: NodeDep) -> dict[str, Any]:
    """Hit or no hit for each encoded item, with opaque references: quota-checked and
    logged; never record content or scores."""
    return await from_partner(request, node, check_body, answer.answer)


@router.post(
    "/partner/requests",
    summary="Receive a follow-up request / Recibir solicitud",
    responses=error_responses(400, 401, 404, 409, 413),
)
async def partner_request(request: Request, node: NodeDep) -> dict[str, Any]:
    """Registers the partner's request for a hit we gave it, with its deadline."""
    return await from_partner(request, node, check_body, requests.receive)


@router.get(
    "/partner/requests",
    summary="Decisions on a partner's requests / Decisiones",
    responses=error_responses(401),
)
def partner_statuses(
    request: Request, node: NodeDep, ids: Annotated[str, Query(max_length=20_000)] = ""
) -> dict[str, Any]:
    """Status, deadline and release of each of the partner's own requests."""
    partner = partner_of(request, node)
    wanted = [i for i in ids.split(",") if i.isalnum()][:500]
    return {"requests": requests.statuses(node, partner, wanted)}
