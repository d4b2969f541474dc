"""The owner's side of step 1: answer a partner's batch of encoded queries.

Order of checks, each refusal audited: the body parses (``hitnohit.bad_query``); the
pair is set up; the epoch is ours (a newer one is adopted, an older one refused with
``hitnohit.stale_epoch`` naming ours); the batch fits the partner's daily quota — the
query is logged *in the same transaction* that counts the day's items, so two
concurrent batches cannot both slip under it (``hitnohit.quota_exceeded`` refuses the
whole batch and says how many items remain and when the day resets).

Then the index is brought up to date, exact digests are looked up, person CLKs go to the
matcher, and each hit gets a fresh opaque reference. The answer holds, per item, the
references and this node's contact point — never record content or a score.
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, func, select

from puente.errors import Conflict, Forbidden, InvalidInput, PayloadTooLarge
from puente.hitnohit.clk import from_hex, get_profile, pack
from puente.hitnohit.identifiers import FIREARM_DIGESTS, ID_TYPES
from puente.hitnohit.index import live_matcher, refresh
from puente.hitnohit.matcher import token_int
from puente.hitnohit.pairs import adopt_epoch, get_pair
from puente.hitnohit.persons import DOB_TOKENS, ID_TOKENS, PROFILE
from puente.model.canonical import content_hash
from puente.node import Node
from puente.store import db
from puente.store.audit import now
from puente.store.tables import hitnohit_hits, hitnohit_queries, hitnohit_tokens

MAX_ITEMS = 5000
MAX_HITS = 3
_HEX64 = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Item:
    type: str
    digests: tuple[str, ...] = ()
    clk: bytes = b""
    dob: tuple[int, int, int] = (0, 0, 0)  # year, date, swap tokens as integers (0 = none)
    ids: tuple[int, int] = (0, 0)  # passport, phone tokens as integers (0 = none)


def _hex64(value: Any) -> str:
    if not isinstance(value, str) or len(value) != 64 or not set(value) <= _HEX64:
        raise InvalidInput("hitnohit.bad_query", reason="digest")
    return value


def parse_items(body: dict[str, Any]) -> list[Item]:
    raw = body.get("items")
    if not isinstance(raw, list) or not raw:
        raise InvalidInput("hitnohit.bad_query", reason="items")
    if len(raw) > MAX_ITEMS:
        raise PayloadTooLarge("hitnohit.batch_too_large", limit=MAX_ITEMS)
    nbytes = get_profile(PROFILE).out_bits // 8
    out: list[Item] = []
    for entry in raw:
        if not isinstance(entry, dict):
            raise InvalidInput("hitnohit.bad_query", reason="item")
        kind = entry.get("type")
        if kind == "person":
            clk = from_hex(str(entry.get("clk", "")), nbytes)
            dob = entry.get("dob") or {}
            if not isinstance(dob, dict) or not set(dob) <= set(DOB_TOKENS):
                raise InvalidInput("hitnohit.bad_query", reason="dob")
            ints = tuple(token_int(_hex64(dob[k])) if k in dob else 0 for k in DOB_TOKENS)
            ids = entry.get("ids") or {}
            if not isinstance(ids, dict) or not set(ids) <= set(ID_TOKENS):
                raise InvalidInput("hitnohit.bad_query", reason="ids")
            held = tuple(token_int(_hex64(ids[k])) if k in ids else 0 for k in ID_TOKENS)
            out.append(
                Item(
                    "person",
                    clk=clk,
                    dob=(ints[0], ints[1], ints[2]),
                    ids=(held[0], held[1]),
                )
            )
        elif kind in ID_TYPES:
            digests = entry.get("digests")
            limit = FIREARM_DIGESTS if kind == "firearm" else 1
            if not isinstance(digests, list) or not 1 <= len(digests) <= limit:
                raise InvalidInput("hitnohit.bad_query", reason="digests")
            out.append(Item(str(kind), digests=tuple(_hex64(d) for d in digests)))
        else:
            raise InvalidInput("hitnohit.bad_query", reason="type")
    return out


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def used_today(conn: Connection, partner: str, direction: str = "in") -> int:
    return int(
        conn.execute(
            select(func.coalesce(func.sum(hitnohit_queries.c["items"]), 0)).where(
                hitnohit_queries.c.partner == partner,
                hitnohit_queries.c.direction == direction,
                hitnohit_queries.c.day == _day(datetime.now(UTC)),
            )
        ).scalar_one()
    )


def _admit(node: Node, partner: str, body: dict[str, Any], items: list[Item], digest: str) -> str:
    """Check epoch and quota and log the query; returns its id. Refusals are audited."""
    qid = str(body.get("id", ""))[:40]
    if not qid or not qid.isalnum():
        raise InvalidInput("hitnohit.bad_query", reason="id")
    refusal: Exception | None = None
    with node.write() as conn:
        db.lock_chain(conn, f"hitnohit_quota:{partner}")
        pair = get_pair(conn, partner)
        epoch = body.get("epoch")
        if not isinstance(epoch, int) or epoch < 1:
            raise InvalidInput("hitnohit.bad_query", reason="epoch")
        if epoch > pair.epoch:
            pair = adopt_epoch(node, conn, pair, epoch, f"partner:{partner}")
        used = used_today(conn, partner)
        seen = select(hitnohit_queries.c.id).where(
            hitnohit_queries.c.id == qid, hitnohit_queries.c.direction == "in"
        )
        if conn.execute(seen).first() is not None:
            refusal = Conflict("hitnohit.duplicate_query", id=qid)
        elif epoch < pair.epoch:
            refusal = Conflict("hitnohit.stale_epoch", ours=pair.epoch, theirs=epoch)
        elif used + len(items) > pair.quota:
            reset = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT00:00:00Z")
            refusal = Forbidden(
                "hitnohit.quota_exceeded",
                partner=partner,
                asked=len(items),
                used=used,
                quota=pair.quota,
                reset=reset,
            )
        else:
            kinds = Counter(i.type for i in items)
            conn.execute(
                hitnohit_queries.insert(),
                {
                    "id": qid,
                    "direction": "in",
                    "partner": partner,
                    "actor": f"partner:{partner}",
                    "items": len(items),
                    "hits": 0,
                    "kinds": json.dumps(dict(sorted(kinds.items()))),
                    "digest": digest,
                    "day": _day(datetime.now(UTC)),
                    "at": now(),
                },
            )
            return qid
    assert refusal is not None
    with node.write() as conn:
        node.audit.append(
            conn,
            f"partner:{partner}",
            "hitnohit_refused",
            partner,
            {"query": qid, "items": len(items), "reason": getattr(refusal, "key", "")},
        )
    raise refusal


def answer(node: Node, partner: str, body: dict[str, Any]) -> dict[str, Any]:
    """Answer one authenticated batch from ``partner`` (see the module docstring)."""
    items = parse_items(body)
    digest = content_hash(body)
    qid = _admit(node, partner, body, items, digest)
    refresh(node, partner)
    found: list[list[tuple[str, str]]] = [[] for _ in items]  # (record id, kind)
    exact = [(i, d) for i, it in enumerate(items) if it.type != "person" for d in it.digests]
    with node.read() as conn:
        owner: dict[str, list[tuple[str, str]]] = {}
        wanted = [d for _, d in exact]
        for j in range(0, len(wanted), 500):
            for kind, dig, rid in conn.execute(
                select(
                    hitnohit_tokens.c.kind, hitnohit_tokens.c.digest, hitnohit_tokens.c.record_id
                ).where(
                    hitnohit_tokens.c.partner == partner,
                    hitnohit_tokens.c.digest.in_(wanted[j : j + 500]),
                )
            ):
                owner.setdefault(dig, []).append((rid, kind))
    for i, d in exact:
        for rid, kind in owner.get(d, []):
            if kind == items[i].type and (rid, kind) not in found[i] and len(found[i]) < MAX_HITS:
                found[i].append((rid, kind))
    persons = [i for i, it in enumerate(items) if it.type == "person"]
    if persons:
        nbytes = get_profile(PROFILE).out_bits // 8
        matcher, lock = live_matcher(node, partner)
        with lock:
            ids = matcher.search(
                pack([items[i].clk for i in persons], nbytes),
                np.array([items[i].dob + items[i].ids for i in persons], dtype=np.uint64),
                MAX_HITS,
            )
        for i, hits in zip(persons, ids, strict=True):
            found[i] = [(rid, "person") for rid in hits]
    return _record_answer(node, partner, qid, found)


def _record_answer(
    node: Node, partner: str, qid: str, found: list[list[tuple[str, str]]]
) -> dict[str, Any]:
    at = now()
    results: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for i, hits in enumerate(found):
        refs = []
        for rid, kind in hits:
            ref = "H" + secrets.token_hex(12)
            refs.append(ref)
            rows.append(
                {
                    "ref": ref,
                    "direction": "in",
                    "partner": partner,
                    "query_id": qid,
                    "item": i,
                    "kind": kind,
                    "record_id": rid,
                    "created_at": at,
                }
            )
        results.append({"item": i, "hits": refs})
    with node.write() as conn:
        if rows:
            conn.execute(hitnohit_hits.insert(), rows)
        conn.execute(
            hitnohit_queries.update()
            .where(hitnohit_queries.c.id == qid, hitnohit_queries.c.direction == "in")
            .values(hits=len(rows))
        )
        pair = get_pair(conn, partner)
        node.audit.append(
            conn,
            f"partner:{partner}",
            "hitnohit_answered",
            partner,
            {"query": qid, "items": len(found), "hits": len(rows)},
        )
        used = used_today(conn, partner)
    return {
        "id": qid,
        "from": node.country,
        "results": results,
        "contact": pair.contact,
        "quota": {"used": used, "limit": pair.quota},
    }
