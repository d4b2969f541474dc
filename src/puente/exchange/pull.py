"""Pull a partner's feed: fetch pages over signed HTTP requests, verify, apply.

One loop per partner: read the cursor, ask for the page after it, verify every entry
(``verify.verify_page``), apply the page with the cursor in one transaction
(``apply.apply_page``), repeat until the partner has nothing newer.

Three stages overlap: while page *k* is applied, page *k+1* is verified and page *k+2*
fetched. Verification of a long backlog runs in a separate process (Ed25519 verification
holds the GIL), so a node catching up uses a second core; a short sync verifies in a
thread and starts no process. Pages are still verified strictly in order — each from
the hash the previous one ended on — and applied strictly in order.

Faults: a partner that cannot be reached raises ``PartnerUnreachable`` — the cursor is
untouched, the next sync resumes from it. A page that fails verification, or a request
the partner refuses, raises ``FeedRejected``: nothing of that page is applied and the
refusal is written to the audit log.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from puente.crypto import load_public
from puente.errors import PuenteError
from puente.exchange.apply import Cursor, apply_page, cursor
from puente.exchange.client import PartnerClient, PartnerUnreachable, get_partner
from puente.exchange.verify import FeedRejected, Verified, verify_page
from puente.node import Node

PAGE = 5000
# Backlog (entries) above which verification moves to its own process.
PROCESS_BACKLOG = 100_000


@dataclass
class SyncReport:
    partner: str
    entries: int = 0
    upserts: int = 0
    retracts: int = 0
    pages: int = 0
    cursor: Cursor = field(default_factory=Cursor)
    head: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "partner": self.partner,
            "entries": self.entries,
            "upserts": self.upserts,
            "retracts": self.retracts,
            "pages": self.pages,
            "seq": self.cursor.seq,
            "head": self.head,
        }


Outcome = tuple[list[Verified], None] | tuple[None, tuple[str, dict[str, Any]]]


def verify_job(
    text: str, key_b64: str, sender: str, receiver: str, after: Cursor, fingerprint: str
) -> Outcome:
    """``verify_page`` in a form that crosses a process boundary (errors as data)."""
    try:
        entries = verify_page(
            text,
            key=load_public(key_b64),
            sender=sender,
            receiver=receiver,
            after_seq=after.seq,
            after_hash=after.head,
            fingerprint=fingerprint,
        )
    except FeedRejected as exc:
        return None, (exc.key, exc.params)
    return entries, None


def _count(text: str) -> int:
    return text.count("\n") + 1 if text else 0


def sync(
    node: Node,
    code: str,
    *,
    client: httpx.Client | None = None,
    page_size: int = PAGE,
    max_pages: int | None = None,
) -> SyncReport:
    """Pull everything new from partner ``code``; see the module docstring for faults."""
    partner = get_partner(node, code)
    remote = PartnerClient(node, partner, client)
    report = SyncReport(partner.code)
    with node.read() as conn:
        report.cursor = cursor(conn, partner.code)
    fetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"pull-{partner.code}")
    fetching: Future[tuple[str, int, int]]
    verifier: Executor | None = None

    def verify(text: str, after: Cursor) -> Future[Outcome]:
        assert verifier is not None
        args = (text, partner.public_key, partner.code, node.country, after, partner.fingerprint)
        return verifier.submit(verify_job, *args)

    try:
        text, report.head, backlog = remote.page(report.cursor.seq, page_size)
        if report.head - report.cursor.seq + backlog > PROCESS_BACKLOG:
            spawn = multiprocessing.get_context("spawn")
            verifier = ProcessPoolExecutor(max_workers=1, mp_context=spawn)
        else:
            verifier = ThreadPoolExecutor(max_workers=1, thread_name_prefix="verify")
        checking = verify(text, report.cursor)
        fetched_to = report.cursor.seq + _count(text)
        fetching = fetcher.submit(remote.page, fetched_to, page_size)
        while max_pages is None or report.pages < max_pages:
            entries, refused = checking.result()
            if refused is not None:
                raise FeedRejected(refused[0], **refused[1])
            assert entries is not None
            if not entries:
                break
            last = Cursor(entries[-1].seq, entries[-1].hash)
            complete = len(entries) < page_size and last.seq >= report.head
            if not complete:
                text, report.head, _ = fetching.result()
                checking = verify(text, last)
                fetched_to = last.seq + _count(text)
                fetching = fetcher.submit(remote.page, fetched_to, page_size)
            applied = apply_page(node, partner.code, entries, report.cursor)
            report.cursor = applied.cursor
            report.entries += applied.entries
            report.upserts += applied.upserts
            report.retracts += applied.retracts
            report.pages += 1
            if complete:
                break
    except FeedRejected as exc:
        _audit_rejection(node, partner.code, exc, action="exchange_rejected")
        raise
    except PartnerUnreachable as exc:
        _audit_rejection(node, partner.code, exc, action="exchange_unreachable")
        raise
    finally:
        fetcher.shutdown(wait=True, cancel_futures=True)
        if verifier is not None:
            verifier.shutdown(wait=True, cancel_futures=True)
        remote.close()
    return report


def _audit_rejection(node: Node, code: str, exc: PuenteError, action: str) -> None:
    detail = {"reason": exc.key, **{k: str(v) for k, v in exc.params.items()}}
    with node.write() as conn:
        node.audit.append(conn, f"exchange:{code}", action, code, detail)
