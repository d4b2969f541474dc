"""Exchange endpoints partners call: the signed feed and the ledger summary.

Partners authenticate each request with their node key (``exchange.auth``), not with a
user token; the routes only translate HTTP to ``puente.exchange.serve``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse

from puente.api.deps import NodeDep
from puente.api.routers.common import partner_of
from puente.exchange import serve

router = APIRouter(prefix="/exchange", tags=["exchange"])


@router.get("/feed", response_class=PlainTextResponse)
def feed(
    request: Request,
    node: NodeDep,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=serve.MAX_PAGE)] = 5000,
) -> PlainTextResponse:
    """Entries of this node's feed to the calling partner after ``after``: one line
    ``<base64 Ed25519 signature> <canonical JSON body>`` each; headers ``X-Puente-Head``
    (the feed's newest seq) and ``X-Puente-Backlog`` (changes not yet turned into
    entries: an upper bound on what is still to come)."""
    partner = partner_of(request, node, after)
    text, head, backlog = serve.feed_page(node, partner, after, limit)
    return PlainTextResponse(
        text, headers={"X-Puente-Head": str(head), "X-Puente-Backlog": str(backlog)}
    )


@router.get("/ledger")
def ledger(
    request: Request, node: NodeDep, sent_at: Annotated[int, Query(ge=0)] = 0
) -> dict[str, object]:
    """This node's ledger with the calling partner: counts and running hashes."""
    partner = partner_of(request, node)
    return serve.ledger_view(node, partner, sent_at)
