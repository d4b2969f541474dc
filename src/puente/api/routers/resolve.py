"""Entity resolution: run it, read clusters, explain a pair field by field, the review
queue and analysts' decisions (append-only, with undo). Roles, clearance and audit are
applied by ``puente.resolve.service``; this module only maps HTTP to it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from puente.api.deps import NodeDep, UserDep
from puente.api.routers.common import error_responses
from puente.resolve import service
from puente.resolve.features import GROUPS

router = APIRouter(prefix="/resolve", tags=["resolve"])
RecordId = Annotated[str, Path(description="Record id", max_length=200)]


class RunIn(BaseModel):
    groups: list[str] = Field(default_factory=lambda: list(GROUPS), max_length=len(GROUPS))
    incremental: bool = False


class DecisionIn(BaseModel):
    left_id: str = Field(max_length=200)
    right_id: str = Field(max_length=200)
    judgement: str = Field(description="same | not_same | unsure", max_length=16)
    note: str = Field(default="", max_length=2000)


class UndoIn(BaseModel):
    note: str = Field(default="", max_length=2000)


@router.post(
    "/run",
    summary="Resolve entities / Resolver entidades",
    responses=error_responses(400, 401, 403, 422),
)
def run(node: NodeDep, user: UserDep, body: RunIn) -> list[dict[str, Any]]:
    """A full run per group (trains the model), or incremental from the change feed."""
    return service.run(node, user, body.groups, body.incremental)


@router.get(
    "/clusters/{cluster_id}",
    summary="An entity and its records / Una entidad",
    responses=error_responses(401, 403, 404),
)
def cluster(
    node: NodeDep, user: UserDep, cluster_id: Annotated[str, Path(max_length=64)]
) -> dict[str, Any]:
    return service.cluster(node, user, cluster_id)


@router.get(
    "/records/{rid}/cluster",
    summary="The entity of a record / Entidad de un registro",
    responses=error_responses(401, 403, 404),
)
def record_cluster(node: NodeDep, user: UserDep, rid: RecordId) -> dict[str, Any]:
    return service.cluster_of(node, user, rid)


@router.get(
    "/explain",
    summary="Why two records match: weight per field / Explicación",
    responses=error_responses(400, 401, 403, 404, 422),
)
def explain(
    node: NodeDep,
    user: UserDep,
    left: Annotated[str, Query(max_length=200)],
    right: Annotated[str, Query(max_length=200)],
) -> dict[str, Any]:
    """Match weight of each field (level, the two values, term-frequency adjustment), the
    stored score, the judgement in force and the decision history of the pair."""
    return service.explain(node, user, left, right)


@router.get(
    "/review",
    summary="Pairs waiting for review / Pares por revisar",
    responses=error_responses(400, 401, 403, 422),
)
def review(
    node: NodeDep,
    user: UserDep,
    group: Annotated[str, Query(max_length=32)] = "Person",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict[str, Any]]:
    return service.review_queue(node, user, group, limit, offset)


@router.post(
    "/decisions",
    summary="Judge a pair / Decidir sobre un par",
    status_code=201,
    responses=error_responses(400, 401, 403, 404, 422),
)
def decide(node: NodeDep, user: UserDep, body: DecisionIn) -> dict[str, Any]:
    return service.decide(node, user, body.left_id, body.right_id, body.judgement, body.note)


@router.post(
    "/decisions/{decision_id}/undo",
    summary="Undo a judgement / Deshacer",
    status_code=201,
    responses=error_responses(401, 403, 404, 409, 422),
)
def undo(
    node: NodeDep,
    user: UserDep,
    decision_id: Annotated[int, Path(ge=1)],
    body: UndoIn | None = None,
) -> dict[str, Any]:
    return service.undo(node, user, decision_id, body.note if body else "")


@router.get(
    "/decisions",
    summary="Recent judgements / Decisiones recientes",
    responses=error_responses(401, 403),
)
def decisions(
    node: NodeDep, user: UserDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[dict[str, Any]]:
    return service.decisions_list(node, user, limit)
