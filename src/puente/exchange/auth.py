"""Authenticated requests between nodes: Ed25519-signed, with a timestamp and a nonce.

The requesting node signs the canonical bytes of
``["puente-req-v1", METHOD, PATH, QUERY, FROM, TO, TIME, NONCE]`` (QUERY = the sorted,
URL-encoded query string; TIME = Unix seconds) and sends ``X-Puente-From``,
``X-Puente-Time``, ``X-Puente-Nonce`` and ``X-Puente-Signature`` (base64).

Invariants (checked by ``verify_request``, in this order, each refusal audited):
- the sender is a known partner (else ``exchange.unknown_partner``);
- its clock is within ``WINDOW`` seconds of ours (else ``exchange.clock_skew``);
- the signature verifies under the partner's registered key (``exchange.bad_request_sig``);
- the nonce has not been seen from that partner inside the window: it is stored in the
  same transaction that accepts it (``exchange_nonces``), so a replayed request is
  refused even across restarts (``exchange.replayed_request``).
Nonces older than twice the window are purged; the clock check refuses anything older.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import time
from collections.abc import Mapping
from urllib.parse import urlencode

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from puente.crypto import load_public
from puente.errors import Unauthorized
from puente.model.canonical import canonical_bytes
from puente.store.tables import exchange_nonces, partners

WINDOW = 300
_NONCE = re.compile(r"^[0-9a-f]{16,64}$")


def query_string(params: Mapping[str, object]) -> str:
    return urlencode(sorted((str(k), str(v)) for k, v in params.items()))


def _message(
    method: str, path: str, query: str, sender: str, receiver: str, ts: int, nonce: str
) -> bytes:
    return canonical_bytes(
        ["puente-req-v1", method.upper(), path, query, sender, receiver, ts, nonce]
    )


def sign_request(
    key: Ed25519PrivateKey,
    *,
    method: str,
    path: str,
    params: Mapping[str, object],
    sender: str,
    receiver: str,
    ts: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """Headers that authenticate one request from ``sender`` to ``receiver``."""
    ts = int(time.time()) if ts is None else ts
    nonce = nonce or secrets.token_hex(16)
    msg = _message(method, path, query_string(params), sender, receiver, ts, nonce)
    return {
        "X-Puente-From": sender,
        "X-Puente-Time": str(ts),
        "X-Puente-Nonce": nonce,
        "X-Puente-Signature": base64.b64encode(key.sign(msg)).decode(),
    }


def verify_request(
    conn: Connection,
    *,
    method: str,
    path: str,
    params: Mapping[str, object],
    headers: Mapping[str, str],
    receiver: str,
    now: int | None = None,
) -> str:
    """Check one request inside the caller's write transaction; returns the partner code.

    Raises ``Unauthorized`` with an ``exchange.*`` key naming the reason."""
    sender = (headers.get("x-puente-from") or "").strip().upper()
    ts_text = headers.get("x-puente-time") or ""
    nonce = headers.get("x-puente-nonce") or ""
    sig_text = headers.get("x-puente-signature") or ""
    if not sender or not ts_text or not nonce or not sig_text:
        raise Unauthorized("exchange.unsigned_request")
    row = conn.execute(select(partners.c.public_key).where(partners.c.code == sender)).first()
    if row is None:
        raise Unauthorized("exchange.unknown_partner", partner=sender[:3])
    current = int(time.time()) if now is None else now
    try:
        ts = int(ts_text)
    except ValueError as exc:
        raise Unauthorized("exchange.clock_skew", partner=sender, skew="?") from exc
    if abs(current - ts) > WINDOW:
        raise Unauthorized("exchange.clock_skew", partner=sender, skew=ts - current)
    if not _NONCE.match(nonce):
        raise Unauthorized("exchange.replayed_request", partner=sender)
    msg = _message(method, path, query_string(params), sender, receiver, ts, nonce)
    try:
        load_public(row.public_key).verify(base64.b64decode(sig_text, validate=True), msg)
    except (InvalidSignature, binascii.Error, ValueError) as exc:
        raise Unauthorized("exchange.bad_request_sig", partner=sender) from exc
    conn.execute(exchange_nonces.delete().where(exchange_nonces.c.ts < current - 2 * WINDOW))
    seen = conn.execute(
        select(exchange_nonces.c.nonce).where(
            exchange_nonces.c.partner == sender, exchange_nonces.c.nonce == nonce
        )
    ).first()
    if seen is not None:
        raise Unauthorized("exchange.replayed_request", partner=sender)
    try:
        conn.execute(exchange_nonces.insert(), {"partner": sender, "nonce": nonce, "ts": ts})
    except IntegrityError as exc:  # the same nonce accepted concurrently (transaction ends)
        raise Unauthorized("exchange.replayed_request", partner=sender) from exc
    return sender
