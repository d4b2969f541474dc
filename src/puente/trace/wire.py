"""Trace traffic over the exchange's signed channel.

A request with a body is signed like every exchange request (``exchange.auth``: method,
path, query, sender, receiver, time, nonce) with one extra query parameter, ``digest`` =
sha256 of the canonical JSON body, so the signature covers the body too; the receiver
recomputes the digest before it parses anything.

Invariant: ``body_of`` returns a body only when its digest matches the signed one; a
partner's refusal becomes our error of the same kind (4xx keep the partner's message
key), and a transport failure or a 5xx is ``PartnerUnreachable``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import httpx

from puente.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    PuenteError,
    Unauthorized,
)
from puente.exchange.auth import sign_request
from puente.exchange.client import PartnerClient, PartnerUnreachable
from puente.model.canonical import canonical_bytes

MAX_BODY = 8 * 1024 * 1024
_BY_STATUS: dict[int, type[PuenteError]] = {
    400: InvalidInput,
    401: Unauthorized,
    403: Unauthorized,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    422: InvalidInput,
}


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _send(
    client: PartnerClient, method: str, path: str, params: dict[str, Any], body: bytes
) -> Any:
    headers = sign_request(
        client.key,
        method=method,
        path=client.prefix + path,
        params=params,
        sender=client.node.country,
        receiver=client.partner.code,
    )
    if body:
        headers["content-type"] = "application/json"
    try:
        response = client.client.request(
            method, path, params=params, content=body or None, headers=headers
        )
    except httpx.HTTPError as exc:
        raise PartnerUnreachable(
            partner=client.partner.code, url=client.partner.url, reason=type(exc).__name__
        ) from exc
    return _answer(client, response)


def post(client: PartnerClient, path: str, data: Any) -> Any:
    """POST ``data`` as canonical JSON to the partner, signed with its digest."""
    body = canonical_bytes(data)
    return _send(client, "POST", path, {"digest": digest(body)}, body)


def get(client: PartnerClient, path: str, params: dict[str, Any]) -> Any:
    """A signed GET; the partner's JSON answer."""
    return _send(client, "GET", path, params, b"")


def _answer(client: PartnerClient, response: httpx.Response) -> Any:
    if response.status_code == 200:
        return response.json()
    try:
        body = response.json()
        key = str(body.get("error", ""))
        params = {k: str(v) for k, v in (body.get("params") or {}).items()}
    except (ValueError, AttributeError):
        key, params = "", {}
    cls = _BY_STATUS.get(response.status_code)
    if cls is None or not key:
        raise PartnerUnreachable(
            partner=client.partner.code, url=client.partner.url, reason=response.status_code
        )
    params["partner"] = client.partner.code
    raise cls(key, **params)


def body_of(params: Mapping[str, str], body: bytes) -> Any:
    """The JSON a signed request carries, after checking its digest."""
    if len(body) > MAX_BODY:
        raise PayloadTooLarge("trace.body_too_large", limit=MAX_BODY)
    if params.get("digest", "") != digest(body):
        raise Unauthorized("trace.bad_digest")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("trace.bad_body") from exc
