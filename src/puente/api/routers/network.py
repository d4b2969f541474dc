"""Network analysis: communities, key players, paths, neighbourhoods (the link chart's
JSON), what-if, change over time, exports. Roles, clearance and audit are applied by
``puente.network.service``; this module only maps HTTP to it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from puente.api.deps import NodeDep, UserDep
from puente.api.routers.common import error_responses
from puente.network import service, views
from puente.network.service import Filters

router = APIRouter(prefix="/network", tags=["network"])
Kinds = Annotated[list[str] | None, Query(description="Only these relations", max_length=50)]
Since = Annotated[str | None, Query(description="Edges dated on or after", max_length=10)]
Until = Annotated[str | None, Query(description="Edges dated on or before", max_length=10)]
Ref = Annotated[str, Query(description="Entity, record or edge-record id", max_length=200)]
MEDIA = {
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
    "csv": "text/csv; charset=utf-8",
    "ftm": "application/x-ndjson",
    "json": "application/json",
}
SUFFIX = {"graphml": "graphml", "gexf": "gexf", "csv": "csv", "ftm": "ftm.json", "json": "json"}


def _filters(kind: list[str] | None, since: str | None, until: str | None) -> Filters:
    return Filters(tuple(kind) if kind else None, since, until)


def _query_filters(kind: Kinds = None, since: Since = None, until: Until = None) -> Filters:
    """The relation and date filters a route takes as ``?kind=…&since=…&until=…``."""
    return _filters(kind, since, until)


FiltersDep = Annotated[Filters, Depends(_query_filters)]


@router.post(
    "/refresh",
    summary="Bring the network up to date / Actualizar la red",
    responses=error_responses(401, 403),
)
def refresh(node: NodeDep, user: UserDep) -> dict[str, Any]:
    """Re-derive the edges of records changed since the last refresh (every other call
    does this first, so this is only needed to pay the cost ahead of time)."""
    return service.refresh(node, user)


@router.get(
    "/communities",
    summary="Communities (Leiden) / Comunidades",
    responses=error_responses(400, 401, 403, 422),
)
def communities(
    node: NodeDep,
    user: UserDep,
    filters: FiltersDep,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 50,
) -> dict[str, Any]:
    """Communities of two entities or more, largest first, with ids stable across runs."""
    return service.communities(node, user, filters, limit=limit)


@router.get(
    "/key-players",
    summary="Key players / Actores clave",
    responses=error_responses(400, 401, 403, 404, 422),
)
def key_players(
    node: NodeDep,
    user: UserDep,
    filters: FiltersDep,
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    samples: Annotated[int, Query(ge=1, le=10_000)] = 100,
    community: Annotated[str | None, Query(max_length=64)] = None,
    top: Annotated[int, Query(ge=1, le=1000)] = 20,
) -> dict[str, Any]:
    """Degree, betweenness (exact or sampled), eigenvector; KPP-Neg and KPP-Pos sets."""
    return service.key_players(
        node, user, filters, k=k, samples=samples, community=community, top=top
    )


@router.get(
    "/path",
    summary="Shortest paths / Caminos más cortos",
    responses=error_responses(400, 401, 403, 404, 422),
)
def path(
    node: NodeDep,
    user: UserDep,
    a: Ref,
    b: Ref,
    filters: FiltersDep,
    k: Annotated[int, Query(ge=1, le=20)] = 1,
) -> dict[str, Any]:
    """The shortest (or k shortest) paths from ``a`` to ``b`` with the edges along them."""
    return service.path(node, user, a, b, filters, k=k)


@router.get(
    "/neighbours",
    summary="Neighbourhood as link-chart JSON / Vecindario",
    responses=error_responses(400, 401, 403, 404, 422),
)
def neighbours(
    node: NodeDep,
    user: UserDep,
    id: Ref,
    filters: FiltersDep,
    hops: Annotated[int, Query(ge=0, le=6)] = 2,
    limit: Annotated[int, Query(ge=1, le=20_000)] = 500,
) -> dict[str, Any]:
    """Entities within ``hops`` of ``id`` and the edges among them, marked (see
    docs/network.md for the shape the link chart consumes)."""
    return views.neighbours(node, user, id, filters, hops=hops, limit=limit, lang=user.lang)


class WhatIfIn(BaseModel):
    remove: list[Annotated[str, Field(max_length=200)]] = Field(min_length=1, max_length=500)
    kinds: list[Annotated[str, Field(max_length=64)]] | None = Field(default=None, max_length=50)
    since: str | None = Field(default=None, max_length=10)
    until: str | None = Field(default=None, max_length=10)


@router.post(
    "/whatif",
    summary="Disruption what-if / ¿Y si se detiene a…?",
    responses=error_responses(400, 401, 403, 404, 422),
)
def whatif(node: NodeDep, user: UserDep, body: WhatIfIn) -> dict[str, Any]:
    """Fragmentation, reach and components before and after removing entities."""
    return service.whatif(node, user, body.remove, _filters(body.kinds, body.since, body.until))


@router.get(
    "/change",
    summary="Change between time windows / Cambios en el tiempo",
    responses=error_responses(400, 401, 403, 422),
)
def change(
    node: NodeDep,
    user: UserDep,
    kind: Kinds = None,
    at: Annotated[str | None, Query(max_length=10, description="Arrest or seizure date")] = None,
    days: Annotated[int, Query(ge=1, le=3660)] = 180,
    first_since: Since = None,
    first_until: Until = None,
    second_since: Since = None,
    second_until: Until = None,
) -> dict[str, Any]:
    """Who rose and who fell: ``at`` ± ``days``, or two explicit windows."""
    first = (first_since, first_until) if first_since and first_until else None
    second = (second_since, second_until) if second_since and second_until else None
    return service.over_time(
        node, user, at=at, days=days, first=first, second=second, filters=_filters(kind, None, None)
    )


@router.get(
    "/export",
    summary="Export / Exportar",
    responses={
        200: {"content": {m: {} for m in MEDIA.values()}},
        **error_responses(400, 401, 403, 404, 422),
    },
)
def export(
    node: NodeDep,
    user: UserDep,
    filters: FiltersDep,
    format: Annotated[
        str, Query(max_length=10, description="graphml|gexf|csv|ftm|json")
    ] = "graphml",
    focus: Annotated[str | None, Query(max_length=200)] = None,
    hops: Annotated[int, Query(ge=0, le=6)] = 2,
) -> Response:
    """The user's network (or ``focus``'s neighbourhood), marked, as a file."""
    data = views.export(node, user, format, filters, focus=focus, hops=hops, lang=user.lang)
    name = f"puente-network.{SUFFIX[format]}"
    return Response(
        data,
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
