"""Pull a partner's feed: fetch pages over signed HTTP requests, verify, apply.

One loop per partner: read the cursor, ask for the page after it, verify every entry
(``verify.verify_page``), apply the page with the cursor in one transaction
(``apply.apply_page``), repeat until the partner has nothing newer.

Stages overlap: while page *k* is applied, page *k+1* is checked (parsed, chained,
validated), and pages *k+2* … *k+1+AHEAD* are fetched one after another by one thread,
their signatures verified as soon as each arrives, in runs of ``SIG_RUN`` lines on a
pool of threads — libsodium releases the GIL, so they use every core the machine has
while this thread writes. Fetching several pages ahead hides the partner's answer time
(it builds and signs its feed meanwhile): with one page ahead the applying thread spent
a third of a 200k-record sync waiting for pages. Pages are still checked strictly in
order — each from the hash the previous one ended on — and applied strictly in order;
no line is parsed before its signature has been verified.

Faults: a partner that cannot be reached raises ``PartnerUnreachable`` — pages verified
before it went away are applied, the cursor stays after the last of them, and the next
sync resumes from it. A page that fails verification, or a request
the partner refuses, raises ``FeedRejected``: nothing of that page is applied and the
refusal is written to the audit log.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from puente.errors import PuenteError
from puente.exchange.apply import Cursor, apply_page, cursor
from puente.exchange.client import PartnerClient, PartnerUnreachable, get_partner
from puente.exchange.verify import (
    FeedRejected,
    Verified,
    bad_signature,
    check_entries,
    public_key_bytes,
    split_page,
)
from puente.node import Node
from puente.store.partners import Partner

PAGE = 5000
SIG_RUN = 500  # lines per signature job
SIG_THREADS = max(2, os.cpu_count() or 1)
AHEAD = 3  # pages fetched (and being verified) beyond the one being checked


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


@dataclass(frozen=True)
class Fetched:
    """A page as received (the entries after ``after``), its signatures being
    verified run by run."""

    after: int
    lines: list[str]
    head: int
    signatures: list[Future[int | None]]

    def first_bad_signature(self) -> int | None:
        for k, run in enumerate(self.signatures):
            bad = run.result()
            if bad is not None:
                return k * SIG_RUN + bad
        return None


def sync(
    node: Node,
    code: str,
    *,
    client: httpx.Client | None = None,
    page_size: int = PAGE,
    max_pages: int | None = None,
) -> SyncReport:
    """Pull everything new from partner ``code``; see the module docstring for faults.

    Syncs with one partner in one process take turns (an officer's "sync now" while
    the background round pulls the same partner waits for it, then pulls what is
    left, instead of failing on the moved cursor); across processes the cursor check
    in ``apply_page`` still refuses the one that lost the race."""
    partner = get_partner(node, code)
    with _turn(node, partner.code):
        return _sync(node, partner, client, page_size, max_pages)


_turns: dict[tuple[str, str], threading.Lock] = {}
_turns_lock = threading.Lock()


def _turn(node: Node, code: str) -> threading.Lock:
    where = (node.engine.url.render_as_string(hide_password=True), code)
    with _turns_lock:
        return _turns.setdefault(where, threading.Lock())


def _sync(
    node: Node,
    partner: Partner,
    client: httpx.Client | None,
    page_size: int,
    max_pages: int | None,
) -> SyncReport:
    key = public_key_bytes(partner.public_key)
    remote = PartnerClient(node, partner, client)
    report = SyncReport(partner.code)
    with node.read() as conn:
        report.cursor = cursor(conn, partner.code)
    name = f"pull-{partner.code}"
    fetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{name}-fetch")
    checker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{name}-check")
    signers = ThreadPoolExecutor(max_workers=SIG_THREADS, thread_name_prefix=f"{name}-sig")

    def fetch(after: int) -> Fetched:
        text, head, _ = remote.page(after, page_size)
        lines = split_page(text)
        runs = [
            signers.submit(bad_signature, lines[i : i + SIG_RUN], key)
            for i in range(0, len(lines), SIG_RUN)
        ]
        return Fetched(after, lines, head, runs)

    def fetch_next(previous: Future[Fetched]) -> Fetched:
        # The fetcher runs one job at a time, in order: ``previous`` is done (or failed,
        # and its error surfaces here, in page order).
        prev = previous.result()
        after = prev.after + len(prev.lines)
        if len(prev.lines) < page_size and after >= prev.head:
            return Fetched(after, [], prev.head, [])  # the partner had no more
        return fetch(after)

    def check(page: Fetched, after: Cursor) -> list[Verified]:
        return check_entries(
            page.lines,
            page.first_bad_signature(),
            sender=partner.code,
            receiver=node.country,
            after_seq=after.seq,
            after_hash=after.head,
            fingerprint=partner.fingerprint,
        )

    def next_page() -> Fetched:
        page = ahead.popleft().result()
        ahead.append(fetcher.submit(fetch_next, ahead[-1]))
        report.head = max(report.head, page.head)
        return page

    try:
        ahead: deque[Future[Fetched]] = deque([fetcher.submit(fetch, report.cursor.seq)])
        for _ in range(AHEAD):
            ahead.append(fetcher.submit(fetch_next, ahead[-1]))
        checking = checker.submit(check, next_page(), report.cursor)
        while max_pages is None or report.pages < max_pages:
            entries = checking.result()
            if not entries:
                break
            last = Cursor(entries[-1].seq, entries[-1].hash)
            complete = len(entries) < page_size and last.seq >= report.head
            later: PuenteError | None = None
            if not complete:
                try:
                    checking = checker.submit(check, next_page(), last)
                except (PartnerUnreachable, FeedRejected) as exc:
                    later = exc  # the next page failed: keep this verified one first
            applied = apply_page(node, partner.code, entries, report.cursor)
            report.cursor = applied.cursor
            report.entries += applied.entries
            report.upserts += applied.upserts
            report.retracts += applied.retracts
            report.pages += 1
            if later is not None:
                raise later
            if complete:
                break
    except FeedRejected as exc:
        _audit_rejection(node, partner.code, exc, action="exchange_rejected")
        raise
    except PartnerUnreachable as exc:
        _audit_rejection(node, partner.code, exc, action="exchange_unreachable")
        raise
    finally:
        for pool in (fetcher, checker, signers):
            pool.shutdown(wait=True, cancel_futures=True)
        remote.close()
    return report


def _audit_rejection(node: Node, code: str, exc: PuenteError, action: str) -> None:
    detail = {"reason": exc.key, **{k: str(v) for k, v in exc.params.items()}}
    with node.write() as conn:
        node.audit.append(conn, f"exchange:{code}", action, code, detail)
