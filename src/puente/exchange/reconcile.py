"""``puente ledger reconcile PARTNER``: ask the partner for its side, compare, audit.

Invariant: reconciliation changes nothing but the audit log (one ``exchange_reconcile``
entry with the outcome); the comparison itself is ``ledger.compare``.
"""

from __future__ import annotations

import httpx

from puente.exchange import ledger
from puente.exchange.client import PartnerClient, get_partner
from puente.exchange.ledger import Reconciliation
from puente.node import Node


def reconcile(node: Node, code: str, *, client: httpx.Client | None = None) -> Reconciliation:
    partner = get_partner(node, code)
    with node.read() as conn:
        local = ledger.summary(conn, partner.code)
    remote_client = PartnerClient(node, partner, client)
    try:
        remote = remote_client.get("/exchange/ledger", {"sent_at": local.received}).json()
    finally:
        remote_client.close()
    with node.write() as conn:
        result = ledger.compare(conn, partner.code, local, remote)
        node.audit.append(
            conn,
            "exchange",
            "exchange_reconcile",
            partner.code,
            {
                "ok": result.ok,
                "sent": local.sent,
                "received": local.received,
                "divergences": [k for k, _ in result.divergences],
            },
        )
    return result
