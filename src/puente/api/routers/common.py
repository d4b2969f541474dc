"""What the routers share: documented error responses, conversions from what
``puente.access`` returns to response models, checks of path/query values that would
otherwise reach SQL unchecked (ids, dates, schema names, country codes), and the one way
a partner's signed request is authenticated and its body bound to the signature."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from puente.access import clearance_name
from puente.api.schemas import ErrorOut, HitOut, MarkingsOut, RecordOut, UserOut, VersionOut
from puente.errors import InvalidInput
from puente.exchange.serve import authenticate
from puente.model.countries import country_code
from puente.model.record import MAX_ID, Record, get_schema
from puente.node import Node
from puente.store.search import Hit
from puente.store.users import User

B = TypeVar("B")
T = TypeVar("T")

_ID_OK = re.compile(r"^[^\x00-\x1f\x7f]+$")
_TEXT_OK = re.compile(r"^[^\x00]*$")
_DESCRIPTIONS = {
    400: "Invalid input / Entrada no válida",
    401: "Not signed in / Sin autenticar",
    403: "Role or clearance missing / Falta rol o habilitación",
    404: "Not found / No encontrado",
    409: "Conflict / Conflicto",
    413: "Upload too large / Carga demasiado grande",
    422: "Invalid request or file, with every problem / Solicitud o archivo no válido",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route: each error status with the one error body."""
    return {c: {"model": ErrorOut, "description": _DESCRIPTIONS[c]} for c in codes}


def user_out(user: User) -> UserOut:
    return UserOut(
        username=user.username,
        roles=list(user.roles),
        clearance=clearance_name(user.clearance),
        lang=user.lang,
    )


def markings_out(data: dict[str, Any]) -> MarkingsOut:
    return MarkingsOut(**data)


def record_out(record: Record, lang: str) -> RecordOut:
    data = record.to_dict()
    return RecordOut(
        **{**data, "markings": markings_out(data["markings"])},
        banner=record.markings.banner(lang),
    )


def version_out(item: dict[str, Any]) -> VersionOut:
    return VersionOut(
        id=item["id"],
        version=item["version"],
        operation=item["operation"],
        schema=item["schema"],
        properties=item["properties"],
        markings=markings_out(item["markings"]),
        content_hash=item["content_hash"],
        recorded_at=item["recorded_at"],
        recorded_by=item["recorded_by"],
        load_id=item.get("load_id"),
    )


def hit_out(hit: Hit) -> HitOut:
    return HitOut(
        id=hit.id,
        schema=hit.schema,
        caption=hit.caption,
        origin=hit.origin,
        event_date=hit.event_date,
        markings=markings_out(hit.markings),
    )


def _escape(value: str) -> str:
    return value[:80].encode("unicode_escape").decode("ascii")


def check_id(rid: str) -> str:
    if not rid or len(rid) > MAX_ID or not _ID_OK.match(rid):
        raise InvalidInput("api.bad_id", field="id", value=_escape(rid))
    return rid


def check_text(field: str, value: str | None) -> str | None:
    """Refuse NUL characters: no database stores them in text."""
    if value is not None and not _TEXT_OK.match(value):
        raise InvalidInput("api.bad_text", field=field)
    return value


def check_schema(field: str, name: str) -> str:
    schema = get_schema(name) if _ID_OK.match(name) else None
    if schema is None:
        raise InvalidInput("api.unknown_schema", field=field, value=_escape(name))
    return schema.name


def check_country(field: str, value: str | None) -> str | None:
    if value is None or value == "":
        return None
    try:
        return country_code(value[:80])
    except InvalidInput as exc:
        raise InvalidInput("api.bad_country", field=field, value=_escape(value)) from exc


def parse_moment(field: str, value: str) -> str:
    """An ISO date (``YYYY-MM-DD``) or timestamp, returned in the store's format."""
    try:
        if len(value) == 10:
            return date.fromisoformat(value).isoformat()
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise InvalidInput("api.bad_date", field=field, value=_escape(value)) from exc
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def check_markings(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """Drop unset fields; ``None`` when nothing was given (the node default applies)."""
    if not data:
        return None
    kept = {k: v for k, v in data.items() if v is not None}
    for key, value in kept.items():
        if isinstance(value, str):
            check_text(f"markings.{key}", value)
    return kept or None


def partner_of(request: Request, node: Node, after: int | None = None) -> str:
    """The partner a signed node-to-node request comes from (``exchange.auth``); a refusal
    is audited and raised."""
    return authenticate(
        node,
        method=request.method,
        path=request.url.path,
        params=dict(request.query_params),
        headers=request.headers,
        client=request.client.host if request.client else "",
        after=after,
    )


async def from_partner(
    request: Request,
    node: Node,
    check: Callable[[Mapping[str, str], bytes], B],
    handle: Callable[[Node, str, B], T],
) -> T:
    """A partner's signed POST: authenticate it, then ``check`` the body against the
    signed digest, then ``handle(node, partner, body)``; the blocking work runs in the
    thread pool."""
    raw = await request.body()

    def run() -> T:
        partner = partner_of(request, node)
        return handle(node, partner, check(request.query_params, raw))

    return await run_in_threadpool(run)
