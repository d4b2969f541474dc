"""Signed requests with a JSON body between partner nodes, over the exchange's channel.

The exchange signs ``METHOD, PATH, QUERY, FROM, TO, TIME, NONCE`` (``exchange.auth``);
a body is bound to that signature by sending its SHA-256 as the query parameter
``sha256``: the receiver authenticates the request (``exchange.serve.authenticate``:
known partner, clock window, signature, nonce never seen) and then refuses a body whose
hash differs (``check_body``). Bodies are canonical JSON (``model.canonical``).

A partner's refusal with one of our error keys becomes ``PartnerRefused`` carrying that
key (so the requester reads the partner's reason in its own language); no connection,
a cut response or a 5xx becomes ``PartnerUnreachable``.
"""

from __future__ import annotations

import hashlib
import json
import ssl
from collections.abc import Mapping
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import httpx

from puente.errors import Forbidden, PayloadTooLarge, Unauthorized
from puente.exchange.auth import sign_request
from puente.exchange.client import TIMEOUT, PartnerClient, PartnerUnreachable, get_partner
from puente.model.canonical import canonical_bytes
from puente.node import Node

MAX_BODY = 16 << 20


class PartnerRefused(Forbidden):
    """The partner refused the request; ``key`` is the partner's reason."""

    key = "hitnohit.refused"


def body_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


@cache
def _tls() -> ssl.SSLContext:
    """httpx's default client TLS context (loading the CA bundle takes ~0.1 s)."""
    return httpx.create_ssl_context()


def check_body(params: Mapping[str, str], raw: bytes) -> dict[str, Any]:
    """The JSON body of an authenticated request, if its hash is the signed one."""
    if len(raw) > MAX_BODY:
        raise PayloadTooLarge("hitnohit.body_too_large", limit=MAX_BODY)
    if params.get("sha256") != body_hash(raw):
        raise Unauthorized("hitnohit.body_mismatch")
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise Unauthorized("hitnohit.body_mismatch") from exc
    if not isinstance(data, dict):
        raise Unauthorized("hitnohit.body_mismatch")
    return data


def call(
    node: Node,
    partner: str,
    method: str,
    path: str,
    *,
    body: dict[str, Any] | None = None,
    params: dict[str, Any] | None = None,
    client: httpx.Client | None = None,
) -> dict[str, Any]:
    """Send one signed request to ``partner``; returns its JSON answer."""
    found = get_partner(node, partner)
    own = client is None
    if client is None:  # httpx's default TLS settings, without rebuilding them every call
        client = httpx.Client(base_url=found.url, timeout=TIMEOUT, verify=_tls())
    remote = PartnerClient(node, found, client)
    prefix = urlsplit(found.url).path.rstrip("/") if own else remote.prefix
    raw = canonical_bytes(body) if body is not None else b""
    query: dict[str, Any] = dict(params or {})
    if body is not None:
        query["sha256"] = body_hash(raw)
    headers = sign_request(
        remote.key,
        method=method,
        path=prefix + path,
        params=query,
        sender=node.country,
        receiver=remote.partner.code,
    )
    if body is not None:
        headers["Content-Type"] = "application/json"
    try:
        response = remote.client.request(
            method, path, params=query, content=raw or None, headers=headers
        )
    except httpx.HTTPError as exc:
        raise PartnerUnreachable(
            partner=remote.partner.code, url=remote.partner.url, reason=type(exc).__name__
        ) from exc
    finally:
        if own:
            client.close()
    if response.status_code == 200:
        try:
            answer = response.json()
        except ValueError as exc:
            raise PartnerUnreachable(
                partner=partner, url=remote.partner.url, reason="json"
            ) from exc
        if isinstance(answer, dict):
            return answer
    raise _refusal(remote.partner.code, remote.partner.url, response)


def _refusal(code: str, url: str, response: httpx.Response) -> Exception:
    try:
        data = response.json()
        key = str(data.get("error", ""))
        params = {k: str(v) for k, v in (data.get("params") or {}).items()}
    except (ValueError, AttributeError):
        key, params = "", {}
    if response.status_code >= 500 or not key.startswith(("hitnohit.", "exchange.", "error.")):
        return PartnerUnreachable(partner=code, url=url, reason=response.status_code)
    params["partner"] = code
    return PartnerRefused(key, **params)
