"""What users do with hit/no-hit, with roles checked and every step audited; the API and
the CLI both call these (they only render).

Roles: asking and requesting need ``analyst``; deciding requests and reading the
incoming query log need ``releasing_officer``; setting up pairs, quotas and keys needs
``admin``. The partner-facing functions (``answer``, ``receive``, ``statuses``) are
called only after the request was authenticated as coming from that partner.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlalchemy import select

from puente.access import require_role
from puente.errors import InvalidInput, NotFound
from puente.hitnohit import pairs, release, requests
from puente.hitnohit.ask import Answer, Ask, query
from puente.hitnohit.keys import verify_x25519
from puente.hitnohit.wire import call
from puente.model.countries import country_code
from puente.node import Node
from puente.store.tables import hitnohit_hits, hitnohit_queries, hitnohit_requests, partners
from puente.store.users import User


def ask(
    node: Node, user: User, partner: str, asks: list[Ask], client: httpx.Client | None = None
) -> Answer:
    require_role(user, "analyst")
    return query(node, user.username, partner, asks, client=client)


# --- pairs --------------------------------------------------------------------------


def pair_setup(
    node: Node,
    user: User,
    partner: str,
    *,
    fetch: bool = False,
    x25519: str | None = None,
    x25519_sig: str | None = None,
    client: httpx.Client | None = None,
    **settings: Any,
) -> pairs.Pair:
    """Create or change a pair. ``fetch`` asks the partner for its signed X25519 key;
    ``x25519`` + ``x25519_sig`` give it as received out of band (checked the same way)."""
    require_role(user, "admin")
    code = country_code(partner)
    with node.read() as conn:
        row = conn.execute(select(partners.c.public_key).where(partners.c.code == code)).first()
    if row is None:
        raise NotFound("error.no_partner", partner=code)
    if fetch:
        got = call(node, code, "GET", "/hitnohit/partner/x25519", client=client)
        x25519, x25519_sig = str(got.get("x25519", "")), str(got.get("signature", ""))
    if x25519 is not None:
        verify_x25519(row.public_key, code, x25519, x25519_sig or "")
    with node.write() as conn:
        pair = pairs.configure(node, conn, code, x25519=x25519, **settings)
        detail = {k: v for k, v in settings.items() if k != "secret" and v is not None}
        node.audit.append(
            conn,
            user.username,
            "hitnohit_pair",
            code,
            {
                **detail,
                "mode": pair.mode,
                "epoch": pair.epoch,
                "secret": "set" if settings.get("secret") else "unchanged",
            },
        )
    return pair


def rotate(node: Node, user: User, partner: str) -> pairs.Pair:
    """Move the pair to its next epoch; the partner follows on our next query to it,
    or at once with ``puente hitnohit pair --epoch N`` on its side."""
    require_role(user, "admin")
    code = country_code(partner)
    with node.write() as conn:
        pair = pairs.get_pair(conn, code)
        return pairs.adopt_epoch(node, conn, pair, pair.epoch + 1, user.username)


def pair_list(node: Node, user: User) -> list[dict[str, Any]]:
    require_role(user, "admin", "releasing_officer")
    from puente.hitnohit.answer import used_today
    from puente.store.tables import hitnohit_pairs

    with node.read() as conn:
        return [
            {
                **pairs.get_pair(conn, r[0]).__dict__,
                "used_today": used_today(conn, r[0]),
                "x25519": bool(r[1]),
            }
            for r in conn.execute(
                select(hitnohit_pairs.c.partner, hitnohit_pairs.c.x25519).order_by(
                    hitnohit_pairs.c.partner
                )
            )
        ]


# --- logs ---------------------------------------------------------------------------


def query_log(node: Node, user: User, direction: str, limit: int = 100) -> list[dict[str, Any]]:
    """The query log: outgoing (analysts) or incoming (releasing officers), newest first;
    incoming rows name the records each hit points at (only this node sees that)."""
    if direction not in ("in", "out"):
        raise InvalidInput("hitnohit.bad_direction", value=direction[:10])
    require_role(user, "releasing_officer" if direction == "in" else "analyst")
    with node.read() as conn:
        rows = conn.execute(
            select(hitnohit_queries)
            .where(hitnohit_queries.c.direction == direction)
            .order_by(hitnohit_queries.c.at.desc())
            .limit(limit)
        ).all()
        ids = [r.id for r in rows]
        hits: dict[str, list[dict[str, Any]]] = {}
        for h in conn.execute(
            select(hitnohit_hits).where(
                hitnohit_hits.c.direction == direction, hitnohit_hits.c.query_id.in_(ids)
            )
        ):
            entry = {"ref": h.ref, "item": h.item, "kind": h.kind}
            if direction == "in":
                entry["record_id"] = h.record_id
            hits.setdefault(h.query_id, []).append(entry)
    return [
        {
            "id": r.id,
            "partner": r.partner,
            "actor": r.actor,
            "at": r.at,
            "items": r.items,
            "hits": r.hits,
            "kinds": json.loads(r.kinds),
            "digest": r.digest,
            "refs": sorted(hits.get(r.id, []), key=lambda e: (e["item"], e["ref"])),
        }
        for r in rows
    ]


# --- step 2 -------------------------------------------------------------------------


def request_create(
    node: Node,
    user: User,
    hit_ref: str,
    case_number: str,
    justification: str,
    urgency: str = "normal",
    client: httpx.Client | None = None,
) -> requests.Request:
    """Ask the owner of a hit for its record (both sides keep the request)."""
    require_role(user, "analyst")
    requests.validate(case_number, justification, urgency)
    with node.read() as conn:
        hit = conn.execute(
            select(hitnohit_hits.c.partner).where(
                hitnohit_hits.c.ref == hit_ref[:40], hitnohit_hits.c.direction == "out"
            )
        ).first()
    if hit is None:
        raise NotFound("hitnohit.no_hit", ref=hit_ref[:40])
    rid = requests.new_id()
    body = {
        "id": rid,
        "ref": hit_ref,
        "case_number": case_number,
        "justification": justification,
        "urgency": urgency,
    }
    got = call(node, hit.partner, "POST", "/hitnohit/partner/requests", body=body, client=client)
    with node.write() as conn:
        req = requests.insert(
            conn,
            rid,
            "out",
            hit.partner,
            hit_ref,
            case_number,
            justification,
            urgency,
            user.username,
            requests._now(),
        )
        requests._set(
            conn,
            rid,
            "out",
            due_at=str(got.get("due_at", req.due_at))[:32],
            expires_at=str(got.get("expires_at", req.expires_at))[:32],
        )
        node.audit.append(
            conn,
            user.username,
            "hitnohit_request_sent",
            hit.partner,
            {"request": rid, "hit": hit_ref, "case": case_number.strip(), "urgency": urgency},
        )
        return requests.get(conn, rid, "out")


def request_sync(
    node: Node, user: User, partner: str, client: httpx.Client | None = None
) -> list[requests.Request]:
    """Fetch the owner's decisions on our pending requests; changes are audited."""
    require_role(user, "analyst")
    code = country_code(partner)
    with node.read() as conn:
        ids = [
            r[0]
            for r in conn.execute(
                select(hitnohit_requests.c.id).where(
                    hitnohit_requests.c.direction == "out",
                    hitnohit_requests.c.partner == code,
                    hitnohit_requests.c.status == "pending",
                )
            )
        ]
    changed: list[requests.Request] = []
    if not ids:
        return changed
    got = call(
        node,
        code,
        "GET",
        "/hitnohit/partner/requests",
        params={"ids": ",".join(ids)},
        client=client,
    )
    with node.write() as conn:
        for item in got.get("requests") or []:
            rid = str(item.get("id", ""))
            status = str(item.get("status", ""))
            if rid not in ids or status not in ("approved", "refused", "expired"):
                continue
            release = str(item.get("release_id") or "")
            requests._set(
                conn,
                rid,
                "out",
                status=status,
                decided_at=str(item.get("decided_at") or "")[:32] or None,
                reason=str(item.get("reason") or "")[:2000],
                handling=str(item.get("handling") or "")[:4],
                release_id=f"{code}:{release}" if release else "",
            )
            node.audit.append(
                conn,
                user.username,
                f"hitnohit_request_{status}_seen",
                code,
                {"request": rid, "release": release},
            )
            changed.append(requests.get(conn, rid, "out"))
    return changed


def request_list(
    node: Node, user: User, direction: str | None, status: str | None
) -> list[requests.Request]:
    require_role(user, "analyst", "releasing_officer")
    if status and status not in ("pending", "approved", "refused", "expired", "overdue"):
        raise InvalidInput("hitnohit.bad_status", value=status[:20])
    return requests.listing(node, direction, status)


def request_approve(
    node: Node, user: User, rid: str, redact: list[str], detail: str, handling: str, note: str = ""
) -> requests.Request:
    require_role(user, "releasing_officer")
    return release.approve(
        node, user.username, rid, redact=redact, detail=detail, handling=handling, note=note
    )


def request_refuse(node: Node, user: User, rid: str, reason: str) -> requests.Request:
    require_role(user, "releasing_officer")
    return requests.refuse(node, user.username, rid, reason)
