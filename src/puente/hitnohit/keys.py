"""Pair keys: the secret two partners share, and the keys derived from it.

How the two partners agree on the pair secret (``docs/hitnohit.md`` explains the choice):

- ``x25519`` (default): each node holds an X25519 key (``keys/node_x25519.pem``, made on
  first use) and publishes the public half *signed by its Ed25519 node key*, which the
  partner already verified out of band by fingerprint. Both sides compute the same
  X25519 shared secret; nothing secret ever crosses the wire.
- ``secret``: an out-of-band secret (at least 32 random bytes, hex) typed on both nodes.

From that input keying material, per epoch: ``root = HKDF-SHA256(ikm, salt="puente-
hitnohit-v1", info=canonical(["pair", [A, B] sorted, epoch]))``, and from the root one
HMAC-SHA256 key per identifier type and one per CLK profile (``HMAC(root, label)``).
Rotation moves both partners to the next epoch: every derived key changes, encodings
made under older epochs no longer match anything.

Invariant: derived keys are pure functions of (ikm, the two country codes, epoch,
label); the same inputs on both nodes give byte-identical keys.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from puente.crypto import load_private, load_public
from puente.errors import InvalidInput
from puente.model.canonical import canonical_bytes

X25519_FILE = "node_x25519.pem"
SALT = b"puente-hitnohit-v1"


@dataclass(frozen=True)
class PairKeys:
    """The keys of one partner pair at one epoch."""

    epoch: int
    root: bytes

    def key(self, label: str) -> bytes:
        return hmac.new(self.root, label.encode(), hashlib.sha256).digest()

    def identifier_key(self, id_type: str) -> bytes:
        return self.key("id:" + id_type)

    def clk_key(self, profile: str) -> bytes:
        return self.key("clk:" + profile)


def derive(ikm: bytes, a: str, b: str, epoch: int) -> PairKeys:
    info = canonical_bytes(["pair", sorted([a, b]), epoch])
    root = HKDF(algorithm=hashes.SHA256(), length=32, salt=SALT, info=info).derive(ikm)
    return PairKeys(epoch, root)


# --- X25519 agreement ---------------------------------------------------------------


def x25519_private(keys_dir: Path) -> X25519PrivateKey:
    """The node's X25519 key, created (mode 0600) on first use."""
    path = keys_dir / X25519_FILE
    if path.is_file():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, X25519PrivateKey):
            raise InvalidInput("hitnohit.bad_x25519")
        return key
    key = X25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    keys_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made concurrently by another process: use that one
        return x25519_private(keys_dir)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return key


def x25519_public_b64(key: X25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def _statement(country: str, x25519_b64: str) -> bytes:
    return canonical_bytes(["puente-x25519-v1", country, x25519_b64])


def sign_x25519(ed25519_path: Path, country: str, x25519_b64: str) -> str:
    """Ed25519 signature (base64) binding ``country`` to its X25519 public key."""
    return base64.b64encode(
        load_private(ed25519_path).sign(_statement(country, x25519_b64))
    ).decode()


def verify_x25519(ed25519_b64: str, country: str, x25519_b64: str, signature: str) -> bytes:
    """The raw X25519 key when ``signature`` is the partner's; else ``InvalidInput``."""
    try:
        raw = base64.b64decode(x25519_b64, validate=True)
        sig = base64.b64decode(signature, validate=True)
        load_public(ed25519_b64).verify(sig, _statement(country, x25519_b64))
    except (InvalidSignature, binascii.Error, ValueError) as exc:
        raise InvalidInput("hitnohit.bad_x25519_sig", partner=country) from exc
    if len(raw) != 32:
        raise InvalidInput("hitnohit.bad_x25519_sig", partner=country)
    return raw


def x25519_ikm(own: X25519PrivateKey, partner_x25519_b64: str) -> bytes:
    raw = base64.b64decode(partner_x25519_b64, validate=True)
    return own.exchange(X25519PublicKey.from_public_bytes(raw))


# --- out-of-band secrets -------------------------------------------------------------


def parse_secret(text: str) -> bytes:
    """An out-of-band pair secret: hex of at least 32 bytes (``openssl rand -hex 32``)."""
    try:
        raw = bytes.fromhex(text.strip())
    except ValueError as exc:
        raise InvalidInput("hitnohit.weak_secret") from exc
    if len(raw) < 32:
        raise InvalidInput("hitnohit.weak_secret")
    return raw


def secret_path(keys_dir: Path, partner: str) -> Path:
    return keys_dir / f"hitnohit_{partner}.secret"


def store_secret(keys_dir: Path, partner: str, raw: bytes) -> None:
    keys_dir.mkdir(parents=True, exist_ok=True)
    path = secret_path(keys_dir, partner)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(raw.hex() + "\n")
    tmp.replace(path)


def load_secret(keys_dir: Path, partner: str) -> bytes | None:
    path = secret_path(keys_dir, partner)
    return parse_secret(path.read_text("utf-8")) if path.is_file() else None
