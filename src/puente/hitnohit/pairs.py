"""Pair settings (``hitnohit_pairs``) and the pair keys they give.

A partner can be asked or answered only once its pair is set up (``configure``):
``x25519`` mode with the partner's signed X25519 key, or ``secret`` mode with an
out-of-band secret (kept in ``keys/hitnohit_<CODE>.secret``, mode 0600, never in the
database). ``rotate`` moves the pair to the next epoch; a partner that asks with a newer
epoch moves us there too (``adopt_epoch``), so rotating on one side is enough.

Invariant: ``pair_keys`` derives the same keys on both nodes for the same epoch.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from puente.errors import InvalidInput, NotFound
from puente.hitnohit import keys as k
from puente.model.markings import vocabulary
from puente.node import Node
from puente.store import db
from puente.store.audit import now
from puente.store.tables import hitnohit_pairs, partners

DEFAULT_QUOTA = 1000
MODES = ("x25519", "secret")


@dataclass(frozen=True)
class Pair:
    partner: str
    mode: str
    x25519: str | None
    epoch: int
    quota: int
    max_level: int
    contact: str


def get_pair(conn: Connection, partner: str) -> Pair:
    row = conn.execute(select(hitnohit_pairs).where(hitnohit_pairs.c.partner == partner)).first()
    if row is None:
        raise NotFound("hitnohit.no_pair", partner=partner)
    return Pair(row.partner, row.mode, row.x25519, row.epoch, row.quota, row.max_level, row.contact)


def configure(
    node: Node,
    conn: Connection,
    partner: str,
    *,
    x25519: str | None = None,
    secret: str | None = None,
    quota: int | None = None,
    max_level: str | None = None,
    contact: str | None = None,
    epoch: int | None = None,
) -> Pair:
    """Create or change a pair's settings (only what is given changes)."""
    if conn.execute(select(partners.c.code).where(partners.c.code == partner)).first() is None:
        raise NotFound("error.no_partner", partner=partner)
    try:
        old: Pair | None = get_pair(conn, partner)
    except NotFound:
        old = None
    mode = old.mode if old else "x25519"
    if secret is not None:
        k.store_secret(node.settings.node_dir / "keys", partner, k.parse_secret(secret))
        mode = "secret"
    elif x25519 is not None:
        mode = "x25519"
    if quota is not None and not 0 <= quota <= 10_000_000:
        raise InvalidInput("hitnohit.bad_quota", value=quota)
    levels = vocabulary().levels
    if max_level is not None and max_level not in levels:
        raise InvalidInput("error.marking_bad_value", field="max_level", value=max_level)
    if epoch is not None and epoch < 1:
        raise InvalidInput("hitnohit.bad_epoch", value=epoch)
    pair = Pair(
        partner=partner,
        mode=mode,
        x25519=x25519 if x25519 is not None else (old.x25519 if old else None),
        epoch=epoch or (old.epoch if old else 1),
        quota=quota if quota is not None else (old.quota if old else DEFAULT_QUOTA),
        max_level=levels[max_level] if max_level else (old.max_level if old else 3),
        contact=contact if contact is not None else (old.contact if old else ""),
    )
    save(conn, pair)
    return pair


def save(conn: Connection, pair: Pair) -> None:
    row = {**pair.__dict__, "updated_at": now()}
    db.upsert(conn, hitnohit_pairs, [row], ["partner"])


def pair_keys(node: Node, pair: Pair) -> k.PairKeys:
    keys_dir = node.settings.node_dir / "keys"
    if pair.mode == "secret":
        ikm = k.load_secret(keys_dir, pair.partner)
        if ikm is None:
            raise NotFound("hitnohit.no_secret", partner=pair.partner)
    else:
        if not pair.x25519:
            raise NotFound("hitnohit.no_x25519", partner=pair.partner)
        ikm = k.x25519_ikm(k.x25519_private(keys_dir), pair.x25519)
    return k.derive(ikm, node.country, pair.partner, pair.epoch)


def own_x25519(node: Node) -> dict[str, str]:
    """This node's X25519 public key, signed with its Ed25519 node key."""
    keys_dir = node.settings.node_dir / "keys"
    public = k.x25519_public_b64(k.x25519_private(keys_dir))
    return {
        "country": node.country,
        "x25519": public,
        "signature": k.sign_x25519(node.settings.key_path, node.country, public),
    }


def adopt_epoch(node: Node, conn: Connection, pair: Pair, epoch: int, actor: str) -> Pair:
    """Move to a newer epoch the partner already uses (audited)."""
    moved = Pair(**{**pair.__dict__, "epoch": epoch})
    save(conn, moved)
    node.audit.append(
        conn, actor, "hitnohit_epoch", pair.partner, {"from": pair.epoch, "to": epoch}
    )
    return moved
