"""Ledger reconciliation: agreeing ledgers reconcile with pending counts; an edited or
deleted ledger row, or a partner whose feed history changed, shows as a divergence."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import update

from puente.exchange import feed
from puente.exchange.reconcile import reconcile
from puente.node import Node
from puente.store.tables import exchange_inbox, exchange_outbox
from tests.exchange.helpers import client, connect, marks, person, pull, put


def setup_pair(make_node: Callable[..., Node]) -> tuple[Node, Node]:
    mx, us = make_node("MX"), make_node("US")
    connect(mx, us)
    put(mx, [person(f"p{i}", f"P {i}") for i in range(6)], marks(mx, rel_to=["USA"]))
    put(us, [person("u1", "U 1")], marks(us, rel_to=["MEX"]))
    pull(us, mx, page_size=4, max_pages=1)
    pull(mx, us)
    return mx, us


def test_agreeing_ledgers_reconcile(make_node: Callable[..., Node]) -> None:
    mx, us = setup_pair(make_node)
    feed.extend(mx, "USA")
    with client(mx) as http:
        result = reconcile(us, "MX", client=http)
    assert result.ok, result.divergences
    assert (result.local.received, result.pending_in) == (4, 2)
    assert (result.local.sent, result.pending_out) == (1, 0)
    with client(us) as http:
        other = reconcile(mx, "US", client=http)
    assert other.ok and other.pending_out == 2
    with us.read() as conn:
        entry = [
            e for e in us.audit.entries(conn, limit=100) if e["action"] == "exchange_reconcile"
        ][-1]
    assert entry["detail"]["ok"] is True


def test_altered_local_ledger_row_diverges(make_node: Callable[..., Node]) -> None:
    mx, us = setup_pair(make_node)
    with us.write() as conn:
        conn.execute(update(exchange_inbox).where(exchange_inbox.c.seq == 2).values(hash="f" * 64))
    with client(mx) as http:
        result = reconcile(us, "MX", client=http)
    keys = {(k, p.get("side")) for k, p in result.divergences}
    assert ("exchange.ledger_corrupt", "in") in keys


def test_partner_history_rewritten_diverges(make_node: Callable[..., Node]) -> None:
    mx, us = setup_pair(make_node)
    # MX's sent ledger no longer says what US received and verified at seq 4.
    with mx.write() as conn:
        conn.execute(
            update(exchange_outbox).where(exchange_outbox.c.seq == 4).values(hash="e" * 64)
        )
    with client(mx) as http:
        result = reconcile(us, "MX", client=http)
    assert not result.ok
    assert ("exchange.ledger_mismatch", "in") in {(k, p.get("side")) for k, p in result.divergences}
    with client(us) as http:
        theirs = reconcile(mx, "US", client=http)
    assert {k for k, _ in theirs.divergences} >= {"exchange.ledger_corrupt"}
