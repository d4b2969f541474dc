"""The exchange part of ``puente demo``: every node pulls every other demo node's feed
over HTTP, then the result is told side by side — what each node sent, what each
received, and the check that nothing unreleasable crossed.

Wiring (for ``puente demo``, once the servers listen): ``lines = exchange_round(nodes,
lang)`` and print the lines. Invariant: the check compares each node's received copies
with the records their owner releases to it *now* (``export.released``); a copy
without such a release is counted as ``unreleasable`` and makes ``ok`` false.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx
from sqlalchemy import func, select

from puente.errors import PuenteError
from puente.exchange.export import released
from puente.exchange.pull import sync
from puente.i18n import t
from puente.node import Node
from puente.store.tables import exchange_outbox, records


@dataclass
class ExchangeRound:
    ok: bool = True
    lines: list[str] = field(default_factory=list)


def exchange_round(
    nodes: Sequence[Node],
    lang: str = "es",
    clients: dict[str, httpx.Client] | None = None,
) -> ExchangeRound:
    """Sync every ordered pair of ``nodes`` (``clients`` by country: tests), then report."""
    out = ExchangeRound()
    by_code = {n.country: n for n in nodes}
    for node in nodes:
        for code in sorted(node.partners() & set(by_code)):
            try:
                client = (clients or {}).get(code)
                report = sync(node, code, client=client)
                out.lines.append(
                    t("exchange.demo_synced", lang, node=node.country, **report.to_dict())
                )
            except PuenteError as exc:
                out.ok = False
                out.lines.append(t(exc.key, lang, **exc.params))
    for owner in nodes:
        for holder in nodes:
            if holder is owner or holder.country not in owner.partners():
                continue
            with owner.read() as conn:
                allowed = {v["id"] for v in released(conn, owner.country, holder.country)}
                sent = conn.execute(
                    select(exchange_outbox.c.op, func.count())
                    .where(exchange_outbox.c.partner == holder.country)
                    .group_by(exchange_outbox.c.op)
                ).all()
            prefix = owner.country + ":"
            with holder.read() as conn:
                copies = {
                    r[0][len(prefix) :]
                    for r in conn.execute(
                        select(records.c.id).where(records.c.origin == owner.country)
                    )
                }
            ops: dict[str, int] = {str(op): int(n) for op, n in sent}
            crossed = len(copies - allowed)
            out.ok &= crossed == 0
            out.lines.append(
                t(
                    "exchange.demo_pair",
                    lang,
                    owner=owner.country,
                    holder=holder.country,
                    upserts=ops.get("upsert", 0),
                    retracts=ops.get("retract", 0),
                    held=len(copies),
                    releasable=len(allowed),
                    unreleasable=crossed,
                )
            )
    out.lines.append(t("exchange.demo_ok" if out.ok else "exchange.demo_bad", lang))
    return out
