"""Firearm tracing: analysts' routes (requests, status, results, step 2, indicators,
processing, the releasing officer's decisions) and the partner-facing routes under
``/trace/partner`` that another node calls with signed requests (``exchange.auth``; a
body is covered by its signed ``digest``). Roles, audit and release rules are applied by
``puente.trace``; this module only maps HTTP to it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from puente.api.deps import NodeDep, UserDep
from puente.api.routers.common import error_responses, from_partner, partner_of
from puente.trace import chains, inbound, indicators, requests, seizure, step2, wire

router = APIRouter(prefix="/trace", tags=["trace"])
RequestId = Annotated[str, Path(description="Trace request id", max_length=64)]
ItemNo = Annotated[int, Path(ge=1, le=100_000)]


class TraceIn(BaseModel):
    partner: str = Field(max_length=60, description="Partner asked (US, USA…)")
    items: list[dict[str, Any]] = Field(default_factory=list, max_length=1000)
    recovery: str = Field(default="", max_length=200, description="A Recovery record id")
    seizure: str = Field(default="", max_length=200)


class Step2In(BaseModel):
    justification: str = Field(min_length=1, max_length=2000)


class DecisionIn(BaseModel):
    approve: bool
    note: str = Field(default="", max_length=2000)


@router.post(
    "/requests",
    summary="Send a trace request / Enviar solicitud de rastreo",
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
def create(node: NodeDep, user: UserDep, body: TraceIn) -> dict[str, Any]:
    """Items given, or every gun of the Recovery record ``recovery`` (a seizure)."""
    rows: list[Any] = list(body.items)
    if body.recovery:
        rows = list(seizure.from_recovery(node, user, body.recovery, body.partner))
    return requests.create(node, user, body.partner, rows, body.seizure or body.recovery)


@router.get("/requests/{rid}", summary="Status / Estado", responses=error_responses(401, 403, 404))
def status(node: NodeDep, user: UserDep, rid: RequestId) -> dict[str, Any]:
    return requests.status(node, user, rid)


@router.get(
    "/requests/{rid}/results",
    summary="Results / Resultados",
    responses=error_responses(401, 403, 404),
)
def results(node: NodeDep, user: UserDep, rid: RequestId, refresh: bool = False) -> dict[str, Any]:
    """As released by the partner; ``refresh`` asks the partner first."""
    if refresh:
        return requests.refresh(node, user, rid)
    return requests.results(node, user, rid)


@router.post(
    "/requests/{rid}/items/{item}/step2",
    summary="Step-2 request / Solicitud paso 2",
    responses=error_responses(400, 401, 403, 404, 409),
)
def ask_step2(node: NodeDep, user: UserDep, rid: RequestId, item: ItemNo, body: Step2In) -> Any:
    return requests.step2(node, user, rid, item, body.justification)


@router.post(
    "/process",
    summary="Match received requests / Procesar solicitudes recibidas",
    responses=error_responses(401, 403, 404),
)
def process(
    node: NodeDep,
    user: UserDep,
    request: Annotated[str, Query(max_length=64)] = "",
    again: bool = False,
) -> dict[str, Any]:
    report = inbound.process(node, user, request, again)
    return {"items": report.items, "by_status": report.by_status}


@router.get(
    "/inbound",
    summary="Requests received / Solicitudes recibidas",
    responses=error_responses(401, 403),
)
def inbound_list(node: NodeDep, user: UserDep) -> list[dict[str, Any]]:
    return inbound.pending(node, user)


@router.post(
    "/inbound/{rid}/items/{item}/decision",
    summary="Decide a step-2 request / Decidir paso 2",
    responses=error_responses(400, 401, 403, 404, 409),
)
def decide(
    node: NodeDep, user: UserDep, rid: RequestId, item: ItemNo, body: DecisionIn
) -> dict[str, Any]:
    return step2.decide_step2(node, user, rid, item, body.approve, body.note)


@router.get(
    "/indicators",
    summary="Tracing indicators / Indicadores de rastreo",
    responses=error_responses(401, 403),
)
def indicator_view(node: NodeDep, user: UserDep) -> dict[str, Any]:
    return indicators.compute(node, user).to_dict()


@router.get(
    "/chains",
    summary="Trafficking chains as typed edges / Cadenas de tráfico",
    responses=error_responses(401, 403),
)
def chain_edges(node: NodeDep, user: UserDep) -> list[dict[str, Any]]:
    return [e.to_dict() for e in chains.trafficking_chains(node, user)]


# --- partner-facing: signed node-to-node requests -----------------------------------


@router.post(
    "/partner/requests",
    summary="A partner's trace request (signed)",
    responses=error_responses(400, 401, 409, 413, 422),
)
async def partner_request(request: Request, node: NodeDep) -> dict[str, Any]:
    return await from_partner(request, node, wire.body_of, inbound.receive)


@router.get(
    "/partner/results",
    summary="Released results of a partner's request (signed)",
    responses=error_responses(401, 404),
)
def partner_results(
    request: Request, node: NodeDep, rid: Annotated[str, Query(alias="request", max_length=64)]
) -> dict[str, Any]:
    return inbound.results_for(node, partner_of(request, node), rid)


@router.post(
    "/partner/step2",
    summary="A partner's step-2 request (signed)",
    responses=error_responses(400, 401, 404, 409),
)
async def partner_step2(request: Request, node: NodeDep) -> dict[str, Any]:
    return await from_partner(request, node, wire.body_of, step2.ask_step2)
