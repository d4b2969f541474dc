"""Verify a page of a partner's feed before anything of it is applied.

Pure: no database, no network. For every line ``<signature> <body>`` in order:
the Ed25519 signature over the exact body bytes under the partner's registered key;
the body names this sender and this receiver; its ``seq`` is the next one expected
(lower → replayed, higher → reordered or missing); its ``prev`` is the hash of the
previous entry (else the chain is broken); an upsert carries a valid record that its
markings release to this node, that respects originator control, and that holds no
withheld property.

Invariant: ``check_page`` either returns every entry of the page, verified, or raises
``FeedRejected`` naming the first bad entry and why — never a partial result, so the
caller applies all of a page or none of it.

``check_page`` is one page's whole verification and is what ``pull`` runs, in a worker
process for large pages or a thread for small ones: first ``bad_signature`` checks the
signatures of every line with libsodium (which releases the GIL), then
``check_entries`` parses and checks, in order, only lines whose signature held — the
first line whose signature failed is refused as ``bad_signature`` once every line
before it has passed its other checks, exactly as checking line by line would. A page
is checked from the seq and hash it must follow, so pages can be checked in parallel.

Lines are bytes, exactly as received; they are split on ``\n`` only: canonical JSON
escapes every control character below U+0020, but not U+2028, U+0085 and the like,
which ``str.splitlines`` would split on.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from nacl.bindings import crypto_sign_open
from nacl.exceptions import BadSignatureError

from puente.errors import InvalidInput
from puente.exchange.entry import RETRACT, UPSERT, VERSION
from puente.model.markings import Markings
from puente.model.record import MAX_ID, validate_entity
from puente.store.records import Prepared, prepare
from puente.workers import gc_relaxed


class FeedRejected(InvalidInput):
    """A partner's feed failed verification; nothing from the failing page is applied."""

    key = "exchange.rejected"


@dataclass(slots=True)
class Verified:  # treated as immutable; not frozen: built once per entry (see Prepared)
    seq: int
    op: str
    record_id: str  # the id at the sender
    local_id: str  # the id of the read-only copy here: "<SENDER>:<id>"
    hash: str
    prev: str
    signature: str
    prepared: Prepared | None

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickle as a plain tuple: worker processes send every checked entry back."""
        return Verified, (
            self.seq, self.op, self.record_id, self.local_id, self.hash, self.prev,
            self.signature, self.prepared,
        )  # fmt: skip


class Checked(list[Verified]):
    """A page's verified entries, as ``check_page`` returns them. A worker process
    sends them back pickled page at once as plain tuples, rebuilt on arrival: about two
    thirds of the cost of pickling each entry and its record object by object (~7 µs
    against ~11 µs an entry, both ends together, on the session-7 machine)."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        rows = [
            (
                e.seq,
                e.op,
                e.record_id,
                e.local_id,
                e.hash,
                e.prev,
                e.signature,
                None if e.prepared is None else e.prepared.fields(),
            )
            for e in self
        ]
        return _unpack, (rows,)


def _unpack(rows: list[tuple[Any, ...]]) -> Checked:
    return Checked(
        Verified(seq, op, rid, lid, digest, prev, sig, None if p is None else Prepared(*p))
        for seq, op, rid, lid, digest, prev, sig, p in rows
    )


def local_id(sender: str, rid: str) -> str:
    """Received copies live in the sender's namespace: ids never collide with ours."""
    return f"{sender}:{rid}"


def public_key_bytes(key_b64: str) -> bytes:
    """A registered partner key (base64) as the 32 raw bytes libsodium takes."""
    raw = base64.b64decode(key_b64, validate=True)
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return raw


def split_page(data: bytes) -> list[bytes]:
    """The lines of a page (``<signature> <body>``), split on ``\n`` only."""
    return [line for line in data.split(b"\n") if line]


def bad_signature(lines: Sequence[bytes], key: bytes) -> int | None:
    """Index of the first line whose Ed25519 signature does not verify under ``key``
    (raw 32 bytes) over the exact body bytes, or None. Releases the GIL while verifying."""
    if len(key) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    b64decode = base64.b64decode
    for i, line in enumerate(lines):
        sig_text, _, body = line.partition(b" ")
        try:
            sig = b64decode(sig_text, validate=True)
            if len(sig) != 64:
                return i
            crypto_sign_open(sig + body, key)
        except (BadSignatureError, binascii.Error, ValueError):
            return i
    return None


def check_page(
    lines: Sequence[bytes],
    *,
    key: bytes,
    sender: str,
    receiver: str,
    after_seq: int,
    after_hash: str,
    fingerprint: str = "",
) -> list[Verified]:
    """Verify a whole page: signatures, then ``check_entries``."""
    with gc_relaxed():  # a worker process runs this alone: its collector, too
        return check_entries(
            lines,
            bad_signature(lines, key),
            sender=sender,
            receiver=receiver,
            after_seq=after_seq,
            after_hash=after_hash,
            fingerprint=fingerprint,
        )


def check_entries(
    lines: Sequence[bytes],
    bad_sig: int | None,
    *,
    sender: str,
    receiver: str,
    after_seq: int,
    after_hash: str,
    fingerprint: str = "",
) -> list[Verified]:
    """Check ``lines`` in order, of which ``bad_sig`` (``bad_signature``'s answer) is the
    first whose signature failed; lines from there on are never parsed."""
    out = Checked()
    marks_cache: dict[bytes, Markings] = {}  # a page's records share a few markings
    expected, head = after_seq + 1, after_hash
    sha256 = hashlib.sha256
    loads = orjson.loads
    reject = _Rejecter(sender, expected, fingerprint)
    for i, line in enumerate(lines):
        reject.seq = expected
        if i == bad_sig:
            raise reject("bad_signature")
        sig, _, raw = line.partition(b" ")
        try:
            data = loads(raw)
            if not isinstance(data, dict) or data.get("v") != VERSION:
                raise ValueError("version")
            seq, op, rid, prev = data["seq"], data["op"], data["id"], data["prev"]
        except (ValueError, KeyError, TypeError) as exc:
            raise reject("malformed") from exc
        if data.get("from") != sender or data.get("to") != receiver:
            raise reject("wrong_party", got=f"{data.get('from')}→{data.get('to')}")
        if not isinstance(seq, int) or seq < expected:
            raise reject("replayed_entry", got=seq)
        if seq > expected:
            raise reject("out_of_order", got=seq)
        if prev != head:
            raise reject("broken_chain")
        if op not in (UPSERT, RETRACT) or not isinstance(rid, str) or not rid:
            raise reject("malformed")
        lid = local_id(sender, rid)
        if len(lid) > MAX_ID:
            raise reject("bad_record", reason="id")
        prepared = None
        if op == UPSERT:
            prepared = _check_record(
                data.get("record"), rid, lid, sender, receiver, reject, marks_cache
            )
        head = sha256(raw).hexdigest()
        out.append(Verified(seq, op, rid, lid, head, prev, sig.decode("ascii"), prepared))
        expected += 1
    return out


@dataclass(slots=True)
class _Rejecter:
    """Builds the error for the entry being checked (``seq`` follows the entry)."""

    sender: str
    seq: int
    fingerprint: str

    def __call__(self, what: str, /, **params: Any) -> FeedRejected:
        return FeedRejected(
            f"exchange.{what}",
            partner=self.sender,
            seq=self.seq,
            fingerprint=self.fingerprint,
            **params,
        )


def _check_record(
    record: Any,
    rid: str,
    lid: str,
    sender: str,
    receiver: str,
    reject: _Rejecter,
    cache: dict[bytes, Markings],
) -> Prepared:
    if not isinstance(record, dict) or record.get("id") != rid:
        raise reject("bad_record", reason="id")
    _, schema, props, problems = validate_entity(record)
    if problems:
        p = problems[0]
        raise reject("bad_record", reason=f"{p.field}: {p.reason}")
    raw_marks = record.get("markings")
    if not isinstance(raw_marks, dict):
        raise reject("bad_record", reason="markings")
    try:
        cache_key = orjson.dumps(raw_marks, option=orjson.OPT_SORT_KEYS)
    except TypeError as exc:
        raise reject("bad_record", reason="markings") from exc
    markings = cache.get(cache_key)
    if markings is None:
        try:
            markings = cache[cache_key] = Markings.parse(raw_marks, originator=sender)
        except InvalidInput as exc:
            raise reject("bad_record", reason="markings") from exc
    if not markings.releasable_to(receiver):
        raise reject("not_released")
    if markings.originator != sender and markings.originator_control:
        raise reject("orcon_violation", originator=markings.originator)
    if markings.withheld:
        leaked = set(markings.withheld) & set(props)
        if leaked:
            raise reject("withheld_sent", field=sorted(leaked)[0])
    return prepare(lid, schema, props, markings)
