"""Records: read, history, create, update (optimistic concurrency), and what the node
held on a given date. Every read and write goes through ``puente.access``, which
enforces clearance and roles and writes the audit log."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from puente import access
from puente.api.deps import NodeDep, UserDep
from puente.api.routers.common import (
    check_id,
    check_markings,
    check_schema,
    error_responses,
    parse_moment,
    record_out,
    version_out,
)
from puente.api.schemas import HeldAtOut, RecordIn, RecordOut, RecordUpdate, VersionOut
from puente.errors import InvalidFile, InvalidInput

router = APIRouter(prefix="/records", tags=["records"])
RecordId = Annotated[str, Path(description="Record id", max_length=200)]


@contextmanager
def _body_problems() -> Iterator[None]:
    """Name the failing fields in the message of an invalid record body."""
    try:
        yield
    except InvalidFile as exc:
        fields = dict.fromkeys(p.field or p.reason for p in exc.problems)
        exc.key = "api.invalid_record"
        exc.params["fields"] = ", ".join(fields)
        raise


def _entity(body: RecordIn, rid: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    check_id(rid)
    data = {"id": rid, "schema": body.schema_, "properties": body.properties}
    markings = body.markings.model_dump() if body.markings is not None else None
    return data, check_markings(markings)


@router.get(
    "",
    summary="What the node held / Lo que el nodo tenía",
    response_model=HeldAtOut,
    responses=error_responses(400, 401, 422),
)
def held_at(
    node: NodeDep,
    user: UserDep,
    held_at: Annotated[
        str | None,
        Query(description="Date (YYYY-MM-DD) or ISO timestamp; default: now", max_length=40),
    ] = None,
    schema: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> HeldAtOut:
    """For each record, the newest version this node had recorded at the end of that
    day (or at that moment), within your clearance. Answers "what did this node hold
    on date X"; history is append-only, so the answer never changes afterwards."""
    when = (
        parse_moment("held_at", held_at)
        if held_at
        else datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    )
    schema_name = check_schema("schema", schema) if schema else None
    total, page = access.held_at(node, user, when, schema=schema_name, limit=limit, offset=offset)
    return HeldAtOut(
        at=when, total=total, limit=limit, offset=offset, records=[version_out(v) for v in page]
    )


@router.post(
    "",
    summary="Create a record / Crear un registro",
    response_model=RecordOut,
    status_code=201,
    responses=error_responses(400, 401, 403, 409, 422),
)
def create(body: RecordIn, node: NodeDep, user: UserDep) -> RecordOut:
    """Create an own record (analyst or releasing officer). Without markings the
    node's default markings apply; you cannot mark above your own clearance.
    An invalid body is refused with every problem (field and reason)."""
    rid = body.id if body.id is not None else f"{node.country.lower()}-{uuid.uuid4().hex}"
    data, markings = _entity(body, rid)
    with _body_problems():
        record = access.create_record(node, user, data, markings)
    return record_out(record, user.lang)


@router.get(
    "/{rid:path}/history",
    summary="Versions of a record / Versiones de un registro",
    response_model=list[VersionOut],
    responses=error_responses(400, 401, 403, 404, 422),
)
def history(rid: RecordId, node: NodeDep, user: UserDep) -> list[VersionOut]:
    """Every version of the record, oldest first, except versions once marked above
    your clearance. The read is audited like a read of the record."""
    return [version_out(v) for v in access.record_history(node, user, check_id(rid))]


@router.get(
    "/{rid:path}",
    summary="Read a record / Leer un registro",
    response_model=RecordOut,
    responses=error_responses(400, 401, 403, 404, 422),
)
def read(rid: RecordId, node: NodeDep, user: UserDep) -> RecordOut:
    """The current version with its markings. A record above your clearance is
    refused (403, and the attempt is audited); reads at restricted or above are
    audited."""
    return record_out(access.read_record(node, user, check_id(rid)), user.lang)


@router.put(
    "/{rid:path}",
    summary="Update a record / Actualizar un registro",
    response_model=RecordOut,
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
def update(rid: RecordId, body: RecordUpdate, node: NodeDep, user: UserDep) -> RecordOut:
    """Write a new version. ``expected_version`` must be the version you read: if
    someone else wrote since, the update is refused with 409 and nothing changes.
    Received copies (another node's records) are read-only."""
    if body.id is not None and body.id != rid:
        raise InvalidInput("api.id_mismatch", field="id", value=body.id[:80])
    data, markings = _entity(body, rid)
    with _body_problems():
        record = access.update_record(node, user, data, markings, body.expected_version)
    return record_out(record, user.lang)
