"""Search: names (accent-, case- and order-insensitive) and identifiers, with filters.
Results never include records above the caller's clearance (filtered in SQL by
``puente.access.search_records``, which also audits searches that returned sensitive
records)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from puente import access
from puente.api.deps import NodeDep, UserDep
from puente.api.routers.common import (
    check_country,
    check_schema,
    check_text,
    error_responses,
    hit_out,
)
from puente.api.schemas import SearchOut
from puente.errors import InvalidInput
from puente.model.markings import vocabulary
from puente.store.search import SearchQuery

router = APIRouter(tags=["search"])


@router.get(
    "/search",
    summary="Search records / Buscar registros",
    response_model=SearchOut,
    responses=error_responses(400, 401, 422),
)
def search(
    node: NodeDep,
    user: UserDep,
    q: Annotated[
        str,
        Query(
            max_length=500,
            description="Name words in any order, or an identifier / phone in any format",
        ),
    ] = "",
    schema: Annotated[
        list[str] | None, Query(max_length=20, description="Schema names (repeatable)")
    ] = None,
    date_from: Annotated[date | None, Query(description="Event date from (YYYY-MM-DD)")] = None,
    date_to: Annotated[date | None, Query(description="Event date to (YYYY-MM-DD)")] = None,
    classification: Annotated[
        str | None, Query(max_length=40, description="Exact classification")
    ] = None,
    rel_to: Annotated[
        str | None, Query(max_length=80, description="Releasable to this partner")
    ] = None,
    origin: Annotated[
        str | None, Query(max_length=80, description="Node the record came from")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> SearchOut:
    """Find records by name or identifier, filtered by schema, event date range,
    classification, releasability and origin. ``more`` says whether another page
    exists (``offset`` + ``limit``)."""
    check_text("q", q)
    if date_from and date_to and date_from > date_to:
        raise InvalidInput("api.bad_range", field="date_from", value=date_from.isoformat())
    if classification is not None and classification.strip().lower() not in vocabulary().levels:
        raise InvalidInput(
            "error.marking_bad_value", field="classification", value=classification[:40]
        )
    query = SearchQuery(
        q=q,
        schemata=[check_schema("schema", s) for s in schema or []],
        date_from=date_from.isoformat() if date_from else None,
        date_to=date_to.isoformat() if date_to else None,
        classification=classification.strip().lower() if classification else None,
        rel_to=check_country("rel_to", rel_to),
        origin=check_country("origin", origin),
        limit=limit,
        offset=offset,
    )
    hits, more = access.search_records(node, user, query)
    return SearchOut(hits=[hit_out(h) for h in hits], more=more, limit=limit, offset=offset)
