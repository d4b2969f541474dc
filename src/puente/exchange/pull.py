"""Pull a partner's feed: fetch pages over signed HTTP requests, verify, apply.

One loop per partner: read the cursor, ask for the page after it, verify every entry
(``verify.verify_page``), apply the page with the cursor in one transaction
(``apply.apply_page``), repeat until the partner has nothing newer. While a page is
being applied the next one is already being fetched (network I/O overlaps the work).

Faults: a partner that cannot be reached raises ``PartnerUnreachable`` — the cursor is
untouched, the next sync resumes from it. A page that fails verification, or a request
the partner refuses, raises ``FeedRejected``: nothing of that page is applied and the
refusal is written to the audit log.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from puente.crypto import load_public
from puente.errors import PuenteError
from puente.exchange.apply import Cursor, apply_page, cursor
from puente.exchange.client import PartnerClient, PartnerUnreachable, get_partner
from puente.exchange.verify import FeedRejected, verify_page
from puente.node import Node

PAGE = 5000


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
    key = load_public(partner.public_key)
    report = SyncReport(partner.code)
    with node.read() as conn:
        report.cursor = cursor(conn, partner.code)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"pull-{partner.code}")
    try:
        pending: Future[tuple[str, int]] = pool.submit(remote.page, report.cursor.seq, page_size)
        while max_pages is None or report.pages < max_pages:
            text, report.head = pending.result()
            entries = verify_page(
                text,
                key=key,
                sender=partner.code,
                receiver=node.country,
                after_seq=report.cursor.seq,
                after_hash=report.cursor.head,
                fingerprint=partner.fingerprint,
            )
            if not entries:
                break
            pending = pool.submit(remote.page, entries[-1].seq, page_size)
            applied = apply_page(node, partner.code, entries, report.cursor)
            report.cursor = applied.cursor
            report.entries += applied.entries
            report.upserts += applied.upserts
            report.retracts += applied.retracts
            report.pages += 1
            if len(entries) < page_size and report.cursor.seq >= report.head:
                break
    except FeedRejected as exc:
        _audit_rejection(node, partner.code, exc, action="exchange_rejected")
        raise
    except PartnerUnreachable as exc:
        _audit_rejection(node, partner.code, exc, action="exchange_unreachable")
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        remote.close()
    return report


def _audit_rejection(node: Node, code: str, exc: PuenteError, action: str) -> None:
    detail = {"reason": exc.key, **{k: str(v) for k, v in exc.params.items()}}
    with node.write() as conn:
        node.audit.append(conn, f"exchange:{code}", action, code, detail)
