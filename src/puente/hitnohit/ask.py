"""The requester's side of step 1: encode what the analyst asks, send it, log the answer.

Clear values never leave this module: each ``Ask`` is encoded here under the pair's
keys (``identifiers``, ``clk``) and only the encodings are sent. A partner at a newer
epoch answers ``hitnohit.stale_epoch`` (ours is older) — we adopt its epoch and send the
batch once more; a partner behind us adopts ours on receipt.

Logged on this side in one transaction with the answer: the query (counts by type and
the digest of the exact body sent, which the owner logs too), one row per hit reference
received, and an audit entry naming the analyst.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from puente.errors import InvalidFile, InvalidInput, Problem
from puente.hitnohit.clk import Person, name_tokens
from puente.hitnohit.identifiers import ID_TYPES, firearm_digests, normalise, value_digest
from puente.hitnohit.keys import PairKeys
from puente.hitnohit.pairs import adopt_epoch, get_pair, pair_keys
from puente.hitnohit.persons import ID_TOKENS, PersonEncoder, person_encoder, split_name
from puente.hitnohit.serials import normalise_make, serial_key
from puente.hitnohit.wire import PartnerRefused, call
from puente.model.canonical import content_hash
from puente.model.countries import country_code
from puente.node import Node
from puente.store.audit import now
from puente.store.tables import hitnohit_hits, hitnohit_queries

TYPES = ("person", *ID_TYPES)


@dataclass(frozen=True)
class Ask:
    """One question: a person, a firearm (serial + make) or an identifier value."""

    type: str
    value: str = ""
    make: str = ""
    person: Person | None = None
    label: str = field(default="", compare=False)


@dataclass(frozen=True)
class Answer:
    query_id: str
    partner: str
    contact: str
    hits: list[list[str]]  # per ask, the partner's opaque references
    used: int
    limit: int

    def to_dict(self, asks: list[Ask]) -> dict[str, Any]:
        return {
            "query": self.query_id,
            "partner": self.partner,
            "contact": self.contact,
            "quota": {"used": self.used, "limit": self.limit},
            "results": [
                {"item": i, "type": a.type, "label": a.label, "hit": bool(h), "refs": h}
                for i, (a, h) in enumerate(zip(asks, self.hits, strict=True))
            ],
        }


def check(ask: Ask) -> Ask:
    if ask.type not in TYPES:
        raise InvalidInput("hitnohit.bad_type", type=ask.type[:20], allowed=", ".join(TYPES))
    if ask.type == "person":
        if ask.person is None or not name_tokens(ask.person.names):
            raise InvalidInput("hitnohit.no_name")
        for kind in ID_TOKENS:
            value = getattr(ask.person, kind)
            if value and not normalise(kind, value):
                raise InvalidInput("hitnohit.bad_value", type=kind, value=value[:40])
    elif ask.type == "firearm":
        if len(serial_key(ask.value)) < 2 or not normalise_make(ask.make):
            raise InvalidInput("hitnohit.bad_serial", serial=ask.value[:40], make=ask.make[:40])
    elif not normalise(ask.type, ask.value):
        raise InvalidInput("hitnohit.bad_value", type=ask.type, value=ask.value[:40])
    return ask


def encode(keys: PairKeys, ask: Ask, persons: PersonEncoder | None = None) -> dict[str, Any]:
    if ask.type == "person":
        assert ask.person is not None
        code = (persons or person_encoder(keys)).encode(ask.person)
        item = {"type": "person", "clk": code.clk.hex(), "dob": code.tokens()}
        ids = code.ids()
        return item | ({"ids": ids} if ids else {})
    if ask.type == "firearm":
        return {"type": "firearm", "digests": firearm_digests(keys, ask.value, ask.make, pad=True)}
    return {"type": ask.type, "digests": [value_digest(keys, ask.type, ask.value)]}


def query(
    node: Node, actor: str, partner: str, asks: list[Ask], *, client: httpx.Client | None = None
) -> Answer:
    """Ask ``partner`` about every item of ``asks`` in one batch."""
    code = country_code(partner)
    asks = [check(a) for a in asks]
    if not asks:
        raise InvalidInput("hitnohit.bad_query", reason="items")
    for attempt in (1, 2):
        with node.read() as conn:
            pair = get_pair(conn, code)
        keys = pair_keys(node, pair)
        persons = person_encoder(keys)
        qid = secrets.token_hex(16)
        body = {
            "v": 1,
            "id": qid,
            "from": node.country,
            "to": code,
            "epoch": pair.epoch,
            "items": [encode(keys, a, persons) for a in asks],
        }
        try:
            reply = call(node, code, "POST", "/hitnohit/partner/query", body=body, client=client)
            break
        except PartnerRefused as exc:
            theirs = int(exc.params.get("ours", 0) or 0)
            if exc.key != "hitnohit.stale_epoch" or attempt == 2 or theirs <= pair.epoch:
                with node.write() as conn:
                    node.audit.append(
                        conn,
                        actor,
                        "hitnohit_query_refused",
                        code,
                        {"items": len(asks), "reason": exc.key},
                    )
                raise
            with node.write() as conn:
                adopt_epoch(node, conn, get_pair(conn, code), theirs, actor)
    hits = _hits(reply, len(asks))
    answer = Answer(qid, code, str(reply.get("contact", ""))[:500], hits, *_quota(reply))
    _log(node, actor, answer, asks, content_hash(body))
    return answer


def _hits(reply: dict[str, Any], count: int) -> list[list[str]]:
    hits: list[list[str]] = [[] for _ in range(count)]
    for result in reply.get("results") or []:
        i = result.get("item") if isinstance(result, dict) else None
        if isinstance(i, int) and 0 <= i < count:
            hits[i] = [str(r)[:40] for r in result.get("hits") or []][:10]
    return hits


def _quota(reply: dict[str, Any]) -> tuple[int, int]:
    q = reply.get("quota") or {}
    return int(q.get("used", 0)), int(q.get("limit", 0))


def _log(node: Node, actor: str, answer: Answer, asks: list[Ask], digest: str) -> None:
    at = now()
    total = sum(len(h) for h in answer.hits)
    kinds = Counter(a.type for a in asks)
    with node.write() as conn:
        conn.execute(
            hitnohit_queries.insert(),
            {
                "id": answer.query_id,
                "direction": "out",
                "partner": answer.partner,
                "actor": actor,
                "items": len(asks),
                "hits": total,
                "kinds": json.dumps(dict(sorted(kinds.items()))),
                "digest": digest,
                "day": datetime.now(UTC).strftime("%Y-%m-%d"),
                "at": at,
            },
        )
        rows = [
            {
                "ref": ref,
                "direction": "out",
                "partner": answer.partner,
                "query_id": answer.query_id,
                "item": i,
                "kind": asks[i].type,
                "record_id": "",
                "created_at": at,
            }
            for i, refs in enumerate(answer.hits)
            for ref in refs
        ]
        if rows:
            conn.execute(hitnohit_hits.insert(), rows)
        node.audit.append(
            conn,
            actor,
            "hitnohit_query",
            answer.partner,
            {"query": answer.query_id, "items": len(asks), "hits": total},
        )


# --- reading asks from the command line, the API and batch files --------------------

CSV_COLUMNS = ("type", "value", "make", "name", "dob", "sex", "nationality", "passport", "phone")


def person_ask(
    name: str,
    dob: str = "",
    sex: str = "",
    nationality: str = "",
    passport: str = "",
    phone: str = "",
) -> Ask:
    """A person question; ``"Surnames, Given names"`` says which names are surnames.
    The person's passport number and phone, when known, travel with it as keyed tokens
    (evidence for the names, not questions of their own)."""
    names, surname = split_name(name)
    person = Person(
        names,
        dob,
        sex,
        nationality,
        surname=surname,
        passport=passport.strip(),
        phone=phone.strip(),
    )
    return Ask("person", person=person, label=name)


def read_batch(text: str, file: str) -> list[Ask]:
    """Asks from a CSV with a header naming some of ``CSV_COLUMNS``; every bad line is a
    ``Problem`` and nothing is asked unless all lines are good."""
    reader = csv.DictReader(io.StringIO(text))
    unknown = [c for c in reader.fieldnames or [] if c not in CSV_COLUMNS]
    if not reader.fieldnames or "type" not in reader.fieldnames or unknown:
        raise InvalidFile(
            [
                Problem(
                    "hitnohit_bad_columns",
                    file=file,
                    line=1,
                    field=(unknown or ["type"])[0],
                    columns=", ".join(CSV_COLUMNS),
                )
            ],
            file=file,
        )
    asks: list[Ask] = []
    problems: list[Problem] = []
    for line, row in enumerate(reader, start=2):
        kind = (row.get("type") or "").strip().lower()
        try:
            if kind == "person":
                if not (row.get("name") or "").strip():
                    raise InvalidInput("hitnohit.no_name")
                ask = person_ask(
                    row["name"].strip(),
                    (row.get("dob") or "").strip(),
                    row.get("sex") or "",
                    row.get("nationality") or "",
                    row.get("passport") or "",
                    row.get("phone") or "",
                )
            else:
                value = (row.get("value") or "").strip()
                ask = Ask(kind, value, (row.get("make") or "").strip(), label=value)
            check(ask)
        except InvalidInput:
            problems.append(
                Problem(
                    "hitnohit_bad_line",
                    file=file,
                    line=line,
                    field=kind or "type",
                    value=(row.get("value") or row.get("name") or "")[:40],
                    types=", ".join(TYPES),
                )
            )
            continue
        asks.append(ask)
    if problems:
        raise InvalidFile(problems, file=file)
    if not asks:
        raise InvalidInput("hitnohit.bad_query", reason="items")
    return asks
