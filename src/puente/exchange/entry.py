"""Feed entries: what may be released, the released view, canonical bytes and signatures.

An entry's *body* is the canonical JSON (``model.canonical``) of::

    {"v": 1, "from": "MEX", "to": "USA", "seq": 7, "op": "upsert" | "retract",
     "id": "<record id at the sender>", "prev": "<hash of entry 6>", "at": "<UTC time>",
     "record": {"id", "schema", "properties", "markings"}}   # upsert only

Invariants:
- ``hash`` = SHA-256 hex of the body bytes; ``prev`` of entry 1 is 64 zeros, of entry
  *n* the hash of entry *n-1*: each partner's feed is one hash chain;
- the signature is Ed25519 over exactly the body bytes, by the sender's node key;
  the receiver verifies it over the bytes it received before parsing anything;
- bodies are encoded with orjson (sorted keys), byte for byte ``canonical_bytes`` for
  what an entry holds — strings, integers, booleans, lists and objects, never floats
  (record properties are strings) — at a fifth of the cost; signing and verifying use
  libsodium (PyNaCl), which is plain Ed25519 (RFC 8032) like OpenSSL, about twice as fast
  here, and releases the GIL;
- a record is released to a partner only when ``may_release`` says so, and the released
  view never contains a property its markings withhold.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

import orjson
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from nacl.bindings import crypto_sign, crypto_sign_seed_keypair

from puente.model.canonical import canonical_fast
from puente.model.markings import Markings

VERSION = 1
GENESIS = "0" * 64
UPSERT = "upsert"
RETRACT = "retract"
OPS = (UPSERT, RETRACT)


def may_release(markings: Markings, origin: str, node: str, partner: str) -> bool:
    """May this node (``node``) pass a record held with ``origin`` to ``partner``?

    Own records: when their markings release them to the partner. Received copies: only
    when, in addition, the originator waived originator control, and never back to the
    node they came from or to their originator.
    """
    if partner == node or not markings.releasable_to(partner):
        return False
    if origin == node:
        return True
    if markings.originator_control:
        return False
    return partner not in (origin, markings.originator)


def released_view(
    rid: str, schema: str, properties: dict[str, list[str]], markings: Markings
) -> dict[str, Any]:
    """The record as it crosses the border: withheld properties left out."""
    withheld = set(markings.withheld)
    return {
        "id": rid,
        "schema": schema,
        "properties": {k: v for k, v in properties.items() if k not in withheld},
        "markings": markings.to_dict(),
    }


class Signer:
    """The node's Ed25519 key as libsodium uses it (seed and public key, 64 bytes)."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        seed = key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        self._secret = crypto_sign_seed_keypair(seed)[1]

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``message``."""
        return crypto_sign(message, self._secret)[:64]


def released_bytes(view: dict[str, Any]) -> tuple[bytes, str]:
    """Canonical bytes of a released view and their hash (``content_hash(view)``)."""
    raw = canonical_fast(view)
    return raw, hashlib.sha256(raw).hexdigest()


def released_stored(
    rid: str, schema: str, properties_json: str, markings: Markings, markings_bytes: bytes
) -> tuple[bytes, str]:
    """``released_bytes(released_view(...))`` of a record as the store holds it: its
    canonical properties text (``records.properties``, written by ``records.prepare``)
    and ``markings_bytes`` = ``canonical_fast(markings.to_dict())``. When the markings
    withhold nothing, the stored text is spliced in without being parsed and encoded
    again — the same bytes, as keys sort "id" < "markings" < "properties" < "schema"."""
    if markings.withheld:
        return released_bytes(released_view(rid, schema, orjson.loads(properties_json), markings))
    raw = b"".join(
        (
            b'{"id":',
            canonical_fast(rid),
            b',"markings":',
            markings_bytes,
            b',"properties":',
            properties_json.encode(),
            b',"schema":',
            canonical_fast(schema),
            b"}",
        )
    )
    return raw, hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class SignedEntry:
    """One entry as stored in the sender's outbox and sent on the wire."""

    partner: str
    seq: int
    op: str
    record_id: str
    body: str
    hash: str
    signature: str  # base64 of the 64-byte Ed25519 signature

    def line(self) -> str:
        """Wire form: ``<signature> <body>``; canonical JSON never holds a raw newline."""
        return f"{self.signature} {self.body}"


def make_entry(
    key: Ed25519PrivateKey | Signer,
    *,
    sender: str,
    partner: str,
    seq: int,
    op: str,
    record_id: str,
    prev: str,
    at: str,
    record: dict[str, Any] | None = None,
    record_bytes: bytes | None = None,
) -> SignedEntry:
    """Sign one entry. ``record_bytes`` (``released_bytes(view)[0]``) stands for
    ``record``, already encoded: the body is then spliced around it, the same bytes as
    encoding the whole body ("prev" < "record" < "seq" in key order)."""
    head: dict[str, Any] = {
        "at": at,
        "from": sender,
        "id": record_id,
        "op": op,
        "prev": prev,
    }
    tail: dict[str, Any] = {"seq": seq, "to": partner, "v": VERSION}
    if record_bytes is not None:
        raw = b"".join(
            (canonical_fast(head)[:-1], b',"record":', record_bytes, b",", canonical_fast(tail)[1:])
        )
    else:
        body = {**head, **tail}
        if record is not None:
            body["record"] = record
        raw = canonical_fast(body)
    signer = key if isinstance(key, Signer) else Signer(key)
    return SignedEntry(
        partner=partner,
        seq=seq,
        op=op,
        record_id=record_id,
        body=raw.decode(),
        hash=hashlib.sha256(raw).hexdigest(),
        signature=base64.b64encode(signer.sign(raw)).decode(),
    )
