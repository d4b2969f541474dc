"""The serving side of the exchange: what a partner's signed request gets.

Every request is authenticated first (``auth.verify_request``, refusals audited). A
feed request extends the partner's feed from the change feed just far enough to fill
the page (``feed.extend``), so a feed is always current when pulled and no separate
builder has to run; it also records the partner's position (``feed.acknowledge``).
"""

from __future__ import annotations

from collections.abc import Mapping

from puente.errors import InvalidInput, Unauthorized
from puente.exchange import feed, ledger
from puente.exchange.auth import verify_request
from puente.node import Node

MAX_PAGE = 10_000


def authenticate(
    node: Node,
    *,
    method: str,
    path: str,
    params: Mapping[str, str],
    headers: Mapping[str, str],
    client: str = "",
    after: int | None = None,
) -> str:
    """The partner a request comes from; refusals are audited and re-raised."""
    try:
        with node.write() as conn:
            partner = verify_request(
                conn,
                method=method,
                path=path,
                params=params,
                headers=headers,
                receiver=node.country,
            )
            if after is not None:
                feed.acknowledge(conn, partner, after)
            return partner
    except Unauthorized as exc:
        with node.write() as conn:
            node.audit.append(
                conn,
                "exchange",
                "exchange_auth_denied",
                (headers.get("x-puente-from") or "")[:3],
                {"reason": exc.key, "client": client[:100]},
            )
        raise


def feed_page(node: Node, partner: str, after: int, limit: int) -> tuple[str, int, int]:
    """Wire text of the page after ``after``, the feed's head seq and its backlog."""
    if after < 0 or not 1 <= limit <= MAX_PAGE:
        raise InvalidInput("exchange.bad_page", limit=MAX_PAGE)
    feed.extend(node, partner, until_seq=after + limit)
    with node.read() as conn:
        lines, head = feed.page(conn, partner, after, limit)
        pending = feed.backlog(conn, partner)
    return "\n".join(lines), head, pending


def ledger_view(node: Node, partner: str, sent_at: int) -> dict[str, object]:
    """This node's side of the ledger with ``partner``, for reconciliation."""
    with node.read() as conn:
        return ledger.summary(conn, partner, sent_at=sent_at).to_dict()
