"""Signed HTTP requests to one partner node, and how its refusals become our errors.

A partner answers an exchange request with 200 or with our JSON error body; an
``exchange.*`` refusal (bad signature, clock skew, unknown partner…) becomes
``FeedRejected`` with the partner's reason; anything else — no connection, a cut
response, a 5xx — becomes ``PartnerUnreachable``, after which the caller's cursor is
untouched and the next attempt resumes from it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from puente.crypto import load_private
from puente.errors import NotFound, PuenteError
from puente.exchange.auth import sign_request
from puente.exchange.verify import FeedRejected
from puente.model.countries import country_code
from puente.node import Node
from puente.store.partners import Partner
from puente.store.tables import partners

TIMEOUT = 60.0


class PartnerUnreachable(PuenteError):
    key = "exchange.unreachable"


def get_partner(node: Node, code: str) -> Partner:
    code = country_code(code)
    with node.read() as conn:
        row = conn.execute(select(partners).where(partners.c.code == code)).first()
    if row is None:
        raise NotFound("error.no_partner", partner=code)
    return Partner(row.code, row.name, row.url, row.public_key, row.fingerprint)


class PartnerClient:
    """Signed requests to one partner; ``client`` may be injected (tests)."""

    def __init__(self, node: Node, partner: Partner, client: httpx.Client | None = None) -> None:
        self.node = node
        self.partner = partner
        self.key: Ed25519PrivateKey = load_private(node.settings.key_path)
        self._own = client is None
        self.client = client or httpx.Client(base_url=partner.url, timeout=TIMEOUT)
        self.prefix = urlsplit(partner.url).path.rstrip("/") if client is None else ""

    def get(self, path: str, params: dict[str, Any]) -> httpx.Response:
        headers = sign_request(
            self.key,
            method="GET",
            path=self.prefix + path,
            params=params,
            sender=self.node.country,
            receiver=self.partner.code,
        )
        try:
            response = self.client.get(path, params=params, headers=headers)
        except httpx.HTTPError as exc:
            raise PartnerUnreachable(
                partner=self.partner.code, url=self.partner.url, reason=type(exc).__name__
            ) from exc
        if response.status_code != 200:
            raise _refusal(self.partner.code, response)
        return response

    def page(self, after: int, limit: int) -> tuple[bytes, int, int]:
        """Wire bytes after ``after``, the feed's head seq and the partner's backlog."""
        response = self.get("/exchange/feed", {"after": after, "limit": limit})
        try:
            head = int(response.headers.get("x-puente-head", "0"))
            backlog = int(response.headers.get("x-puente-backlog", "0"))
        except ValueError:
            head, backlog = 0, 0
        return response.content, head, backlog

    def close(self) -> None:
        if self._own:
            self.client.close()


def _refusal(code: str, response: httpx.Response) -> PuenteError:
    try:
        body = response.json()
        key = str(body.get("error", ""))
        params = {k: str(v) for k, v in (body.get("params") or {}).items()}
    except (ValueError, AttributeError):
        key, params = "", {}
    if response.status_code >= 500 or not key.startswith("exchange."):
        return PartnerUnreachable(partner=code, url=str(response.url), reason=response.status_code)
    params["partner"] = code
    return FeedRejected(key, **params)
