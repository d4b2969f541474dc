"""Pull a partner's feed: fetch pages over signed HTTP requests, verify, apply.

One loop per partner: read the cursor, ask for the page after it, verify every entry
(``verify.check_page``), apply the page with the cursor in one transaction
(``apply.apply_page``), repeat until the partner has nothing newer.

Stages overlap: one thread fetches pages *k+1* … *k+1+AHEAD* one after another while
page *k* is applied, and hands each to be checked (signatures, then parse, chain,
validation) as soon as it arrives — a page of ``POOL_MIN`` lines or more in a worker
process (``puente.workers``), a smaller one in a thread. Each page is checked from the
seq and hash its predecessor ends on as received (the seq after its last line, the
hash of its last body), so pages check in parallel, on every core, without waiting for
each other; they are still taken and applied strictly in order, so the first bad entry
in feed order is the one refused, after everything before it was applied. No line is
parsed before its signature has been verified. Fetching ahead hides the partner's
answer time (it builds and signs its feed meanwhile), and checking in worker processes
keeps the applying thread's interpreter lock to itself: with signatures verified in
threads of this process, each verification had to win the lock back from the applying
thread to return.

Faults: a partner that cannot be reached raises ``PartnerUnreachable`` — pages verified
before it went away are applied, the cursor stays after the last of them, and the next
sync resumes from it. A page that fails verification, or a request
the partner refuses, raises ``FeedRejected``: nothing of that page is applied and the
refusal is written to the audit log. If the worker processes cannot start or die, the
pages they held are checked in this process and the sync goes on.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

import httpx

from puente import workers
from puente.errors import PuenteError
from puente.exchange.apply import Cursor, apply_page, cursor
from puente.exchange.client import PartnerClient, PartnerUnreachable, get_partner
from puente.exchange.verify import (
    FeedRejected,
    Verified,
    check_page,
    public_key_bytes,
    split_page,
)
from puente.node import Node
from puente.store.partners import Partner

PAGE = 5000
AHEAD = 3  # pages fetched (and being checked) beyond the one being applied
POOL_MIN = 1000  # lines: a page this long is checked in a worker process
WORKERS = max(2, min(os.cpu_count() or 1, 4))  # processes (or threads) checking pages
PRELOAD = ["puente.exchange.verify"]  # what the workers' fork server imports


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
    """A page as received: the entries after seq ``after`` (which ends on hash
    ``after_hash``), and their check under way."""

    after: int
    after_hash: str
    lines: list[bytes]
    head: int
    checked: Future[list[Verified]] | None

    def ends_on(self) -> tuple[int, str]:
        """The seq and hash the next page must follow, as this page claims them."""
        if not self.lines:
            return self.after, self.after_hash
        body = self.lines[-1].partition(b" ")[2]
        return self.after + len(self.lines), hashlib.sha256(body).hexdigest()


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
    checkers = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix=f"{name}-check")
    starter = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{name}-start")
    starting: Future[ProcessPoolExecutor] | None = None
    use_pool = True

    def check_args(after: int, after_hash: str) -> dict[str, Any]:
        return {
            "key": key,
            "sender": partner.code,
            "receiver": node.country,
            "after_seq": after,
            "after_hash": after_hash,
            "fingerprint": partner.fingerprint,
        }

    def start_check(lines: list[bytes], after: int, after_hash: str) -> Future[list[Verified]]:
        nonlocal use_pool, starting
        args = check_args(after, after_hash)
        if use_pool and len(lines) >= POOL_MIN:
            ready = workers.running(WORKERS, PRELOAD)
            if ready is None and starting is None:  # start it beside; check in threads
                starting = starter.submit(workers.pool, WORKERS, PRELOAD)
            elif ready is None and starting is not None and starting.done():
                try:
                    ready = starting.result()
                except (BrokenProcessPool, OSError, RuntimeError):
                    use_pool = False  # no worker processes here: check in threads
            if ready is not None:
                try:
                    return ready.submit(check_page, lines, **args)
                except (BrokenProcessPool, RuntimeError):
                    use_pool = False
                    workers.discard(ready)
        return checkers.submit(check_page, lines, **args)

    def fetch(after: int, after_hash: str) -> Fetched:
        data, head, _ = remote.page(after, page_size)
        lines = split_page(data)
        return Fetched(after, after_hash, lines, head, start_check(lines, after, after_hash))

    def fetch_next(previous: Future[Fetched]) -> Fetched:
        # The fetcher runs one job at a time, in order: ``previous`` is done (or failed,
        # and its error surfaces here, in page order).
        prev = previous.result()
        after, after_hash = prev.ends_on()
        if len(prev.lines) < page_size and after >= prev.head:
            return Fetched(after, after_hash, [], prev.head, None)  # the partner had no more
        return fetch(after, after_hash)

    def checked(page: Fetched) -> list[Verified]:
        nonlocal use_pool
        if page.checked is None:
            return []
        try:
            return page.checked.result()
        except BrokenProcessPool:  # a worker died: check this page here, go on in threads
            use_pool = False
            broken = workers.running(WORKERS, PRELOAD)
            if broken is not None:
                workers.discard(broken)  # the next sync starts a fresh pool
            return check_page(page.lines, **check_args(page.after, page.after_hash))

    ahead: deque[Future[Fetched]] = deque()
    try:
        with workers.gc_relaxed():
            ahead.append(fetcher.submit(fetch, report.cursor.seq, report.cursor.head))
            for _ in range(AHEAD):
                ahead.append(fetcher.submit(fetch_next, ahead[-1]))
            while max_pages is None or report.pages < max_pages:
                page = ahead.popleft().result()
                ahead.append(fetcher.submit(fetch_next, ahead[-1]))
                report.head = max(report.head, page.head)
                if (page.after, page.after_hash) != (report.cursor.seq, report.cursor.head):
                    # cannot happen: each page is checked from where the one before ends
                    raise FeedRejected(
                        "exchange.broken_chain", partner=partner.code, seq=page.after + 1
                    )
                entries = checked(page)
                if not entries:
                    break
                applied = apply_page(node, partner.code, entries, report.cursor)
                report.cursor = applied.cursor
                report.entries += applied.entries
                report.upserts += applied.upserts
                report.retracts += applied.retracts
                report.pages += 1
                if len(entries) < page_size and applied.cursor.seq >= report.head:
                    break
    except FeedRejected as exc:
        _audit_rejection(node, partner.code, exc, action="exchange_rejected")
        raise
    except PartnerUnreachable as exc:
        _audit_rejection(node, partner.code, exc, action="exchange_unreachable")
        raise
    finally:
        _cancel(ahead)
        for pool in (fetcher, checkers, starter):
            pool.shutdown(wait=True, cancel_futures=True)
        remote.close()
    return report


def _cancel(ahead: deque[Future[Fetched]]) -> None:
    """Drop the checks of pages fetched ahead that will not be applied."""
    for future in ahead:
        if future.cancel() or future.exception() is not None:
            continue
        page = future.result()
        if page.checked is not None:
            page.checked.cancel()


def _audit_rejection(node: Node, code: str, exc: PuenteError, action: str) -> None:
    detail = {"reason": exc.key, **{k: str(v) for k, v in exc.params.items()}}
    with node.write() as conn:
        node.audit.append(conn, f"exchange:{code}", action, code, detail)
