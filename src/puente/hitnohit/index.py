"""The owner's index of its own records' encodings, one per partner pair.

Built and kept current from the change feed, never from the store's write path:
``refresh`` follows ``changes.seq`` with a cursor per partner (``hitnohit_index``) and,
for every changed record, replaces its rows in ``hitnohit_tokens`` (keyed digests of
exact identifiers) and ``hitnohit_clks`` (the person CLK, its birth-date and identifier
tokens) by
what its *current* state gives. Indexed: own
records (origin = this node) at or below the pair's ``max_level``, except the copies
made to release a follow-up request. A pair at a new epoch, or an index made by an
older encoding scheme (``SCHEME``), is rebuilt from the start of the change feed.

Invariant: the index rows of a chunk of changes and the cursor that covers them are
written in one transaction; builders for a partner serialise through ``db.lock_chain``.
``live_matcher`` keeps an in-memory ``ClkMatcher`` per (database, partner) that it
brings up to the stored cursor before every use (only changed records are reloaded).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, select

from puente.errors import InvalidInput
from puente.hitnohit.clk import Packed, from_hex, get_profile, pack
from puente.hitnohit.identifiers import record_digests
from puente.hitnohit.matcher import ROW_TOKENS, ClkMatcher
from puente.hitnohit.pairs import Pair, get_pair, pair_keys
from puente.hitnohit.persons import PROFILE, person_encoder, person_of
from puente.node import Node
from puente.store import db
from puente.store.audit import now
from puente.store.tables import (
    changes,
    hitnohit_clks,
    hitnohit_index,
    hitnohit_requests,
    hitnohit_tokens,
    records,
)

CHUNK = 5000
# The encoding an index was made with: a change to what is encoded (profiles.yaml, clk,
# persons) changes it, and indexes made before are rebuilt.
SCHEME = "4"
_NONE = "0" * 16


@dataclass(frozen=True)
class IndexState:
    epoch: int
    change_seq: int
    scheme: str = SCHEME


def state(conn: Connection, partner: str) -> IndexState:
    row = conn.execute(select(hitnohit_index).where(hitnohit_index.c.partner == partner)).first()
    return IndexState(row.epoch, row.change_seq, row.scheme) if row else IndexState(0, 0)


def _clear(conn: Connection, partner: str, ids: list[str] | None) -> None:
    for table in (hitnohit_tokens, hitnohit_clks):
        if ids is None:
            conn.execute(table.delete().where(table.c.partner == partner))
            continue
        for i in range(0, len(ids), 500):
            conn.execute(
                table.delete().where(
                    table.c.partner == partner, table.c.record_id.in_(ids[i : i + 500])
                )
            )


def refresh(node: Node, partner: str) -> int:
    """Bring ``partner``'s index up to the change feed; returns records re-encoded."""
    done = 0
    while True:
        with node.write() as conn:
            db.lock_chain(conn, f"hitnohit_index:{partner}")
            pair = get_pair(conn, partner)
            st = state(conn, partner)
            if st.epoch != pair.epoch or st.scheme != SCHEME:
                _clear(conn, partner, None)
                st = IndexState(pair.epoch, 0)
                with _LIVE_LOCK:  # the matcher in memory is reloaded from the new index
                    _LIVE.pop((node.settings.database_url, partner), None)
            rows = conn.execute(
                select(
                    changes.c.seq,
                    changes.c.record_id,
                    records.c.schema,
                    records.c.properties,
                    records.c.origin,
                    records.c.level,
                )
                .select_from(changes.outerjoin(records, records.c.id == changes.c.record_id))
                .where(changes.c.seq > st.change_seq)
                .order_by(changes.c.seq)
                .limit(CHUNK)
            ).all()
            if rows:
                done += _encode_chunk(node, conn, pair, rows)
                st = IndexState(pair.epoch, rows[-1].seq)
            db.upsert(
                conn,
                hitnohit_index,
                [
                    {
                        "partner": partner,
                        "epoch": st.epoch,
                        "change_seq": st.change_seq,
                        "scheme": SCHEME,
                        "updated_at": now(),
                    }
                ],
                ["partner"],
            )
            if len(rows) < CHUNK:
                return done


def _encode_chunk(node: Node, conn: Connection, pair: Pair, rows: Sequence[Any]) -> int:
    current = {r.record_id: r for r in rows}
    ids = list(current)
    _clear(conn, pair.partner, ids)
    released: set[str] = set()
    for i in range(0, len(ids), 500):
        released.update(
            r[0]
            for r in conn.execute(
                select(hitnohit_requests.c.release_id).where(
                    hitnohit_requests.c.direction == "in",
                    hitnohit_requests.c.release_id.in_(ids[i : i + 500]),
                )
            )
        )
    keys = pair_keys(node, pair)
    encoder = person_encoder(keys)
    tokens: list[dict[str, Any]] = []
    clks: list[dict[str, Any]] = []
    seq_of = {r.record_id: r.seq for r in rows}
    for rid, row in current.items():
        if row.schema is None or row.origin != node.country or row.level > pair.max_level:
            continue
        if rid in released:
            continue
        props = json.loads(row.properties)
        for kind, dig in record_digests(keys, row.schema, props):
            tokens.append({"partner": pair.partner, "kind": kind, "digest": dig, "record_id": rid})
        person = person_of(props) if row.schema == "Person" else None
        if person is not None:
            code = encoder.encode(person)
            clks.append(
                {
                    "partner": pair.partner,
                    "record_id": rid,
                    "clk": code.clk.hex(),
                    "dob_year": code.year,
                    "dob_date": code.date,
                    "passport": code.passport,
                    "phone": code.phone,
                    "seq": seq_of[rid],
                }
            )
    if tokens:
        conn.execute(hitnohit_tokens.insert(), tokens)
    if clks:
        conn.execute(hitnohit_clks.insert(), clks)
    return len(ids)


# --- the in-memory matcher --------------------------------------------------------------


@dataclass
class _Live:
    epoch: int
    seq: int
    matcher: ClkMatcher
    lock: threading.Lock


_LIVE: dict[tuple[str, str], _Live] = {}
_LIVE_LOCK = threading.Lock()


def _load(
    conn: Connection, partner: str, ids: list[str] | None, nbytes: int
) -> tuple[list[str], Packed, npt.NDArray[np.uint64]]:
    """CLKs and (year, date, passport, phone) token integers of ``ids`` (every indexed
    record if None), read in one pass and decoded in bulk."""
    order: list[str] = []
    hexes: list[str] = []
    toks: list[str] = []  # each token's first 16 hex digits, "0"*16 for none
    held: list[bool] = []
    c = hitnohit_clks.c
    cols = (c.record_id, c.clk, c.dob_year, c.dob_date, c.passport, c.phone)
    chunks = [None] if ids is None else [ids[i : i + 500] for i in range(0, len(ids), 500)]
    for chunk in chunks:
        q = select(*cols).where(c.partner == partner)
        if chunk is not None:
            q = q.where(c.record_id.in_(chunk))
        result = conn.execute(q)
        while batch := result.fetchmany(20_000):
            for rid, clk, *held_tokens in batch:
                if len(clk) != 2 * nbytes:
                    raise InvalidInput("hitnohit.bad_clk")
                order.append(rid)
                hexes.append(clk)
                toks += ((t or _NONE)[:16] for t in held_tokens)
                held += (bool(t) for t in held_tokens)
    raw = from_hex("".join(hexes), nbytes * len(order)) if order else b""
    # token_int in bulk: the first 64 bits, big-endian; a real token of 0 becomes 1
    tokens = np.frombuffer(from_hex("".join(toks), 8 * len(toks)), dtype=">u8").astype(np.uint64)
    tokens[np.array(held, dtype=np.bool_) & (tokens == 0)] = 1
    return order, pack([raw], nbytes), tokens.reshape(-1, ROW_TOKENS)


def live_matcher(node: Node, partner: str) -> tuple[ClkMatcher, threading.Lock]:
    """The partner's in-memory matcher, current with the stored index."""
    profile = get_profile(PROFILE)
    nbytes = profile.out_bits // 8
    key = (node.settings.database_url, partner)
    with _LIVE_LOCK:
        live = _LIVE.get(key)
        if live is None:
            live = _LIVE[key] = _Live(
                -1, 0, ClkMatcher(nbytes, profile.threshold, profile.rule), threading.Lock()
            )
    with live.lock, node.read() as conn:
        st = state(conn, partner)
        if live.epoch != st.epoch or live.seq > st.change_seq:
            live.matcher = ClkMatcher(nbytes, profile.threshold, profile.rule)
            ids, rows, toks = _load(conn, partner, None, nbytes)
            if ids:
                live.matcher.add(ids, rows, toks)  # bands built when large
        elif live.seq < st.change_seq:
            changed = sorted(
                {
                    r[0]
                    for r in conn.execute(
                        select(changes.c.record_id).where(
                            changes.c.seq > live.seq, changes.c.seq <= st.change_seq
                        )
                    )
                }
            )
            live.matcher.remove(changed)
            ids, rows, toks = _load(conn, partner, changed, nbytes)
            if ids:
                live.matcher.add(ids, rows, toks)
        live.epoch, live.seq = st.epoch, st.change_seq
    return live.matcher, live.lock
