"""Approving a follow-up request: the release copy and what it holds.

Approval writes a *release copy* of the record hit — the owner's own record
``rfi-<request id>`` with the redacted properties left out and, at ``detail=reduced``,
dates cut to the year and contact details (address, phone, e-mail, URL) dropped —
marked releasable to the requester only, handling ``H2`` unless the officer chooses
otherwise, originator control on. The exchange feed follows the change feed, so it
carries the copy to the requester on its next sync (signed, chained, in both ledgers);
nothing else is sent. The hit/no-hit index never indexes release copies.

Invariant: the copy, the request's new state and the audit entry are written in one
transaction.
"""

from __future__ import annotations

import json

from sqlalchemy import Connection, select

from puente.errors import Conflict, InvalidInput
from puente.hitnohit.requests import Request, _now, _set, _ts, expire, get
from puente.model.markings import Markings
from puente.model.record import get_schema
from puente.node import Node
from puente.store import records
from puente.store.tables import hitnohit_hits

DETAILS = ("full", "reduced")
_CONTACT_TYPES = frozenset({"address", "phone", "email", "url"})


def approve(
    node: Node,
    actor: str,
    rid: str,
    *,
    redact: list[str],
    detail: str = "full",
    handling: str = "H2",
    note: str = "",
) -> Request:
    """Approve a pending request: write the release copy for the requester only."""
    if detail not in DETAILS:
        raise InvalidInput("hitnohit.bad_detail", value=detail[:20], allowed=", ".join(DETAILS))
    with node.write() as conn:
        expire(node, conn)
        req = get(conn, rid, "in")
        if req.status != "pending":
            raise Conflict("hitnohit.not_pending", id=rid, status=req.status)
        hit = conn.execute(
            select(hitnohit_hits.c.record_id).where(
                hitnohit_hits.c.ref == req.hit_ref, hitnohit_hits.c.direction == "in"
            )
        ).first()
        assert hit is not None  # a request is only accepted for an existing hit
        source = records.get(conn, hit[0])
        props = released_properties(source.schema, source.properties, redact, detail)
        marks = Markings.parse(
            {
                **source.markings.to_dict(),
                "rel_to": [req.partner],
                "handling": handling.upper(),
                "handling_note": note,
                "originator_control": True,
                "withheld": [],
            },
            originator=node.country,
            partners=node_partners(conn),
        )
        copy_id = f"rfi-{rid}"
        prepared = records.prepare(copy_id, source.schema, props, marks)
        records.write_batch(conn, [prepared], origin=node.country, actor=actor)
        _set(
            conn,
            rid,
            "in",
            status="approved",
            decided_by=actor,
            decided_at=_ts(_now()),
            redactions=json.dumps(sorted(set(redact))),
            handling=marks.handling,
            release_id=copy_id,
            reason=note,
        )
        node.audit.append(
            conn,
            actor,
            "hitnohit_request_approved",
            req.partner,
            {
                "request": rid,
                "record": source.id,
                "release": copy_id,
                "redacted": sorted(set(redact)),
                "detail": detail,
                "handling": marks.handling,
            },
        )
        return get(conn, rid, "in")


def node_partners(conn: Connection) -> set[str]:
    from puente.store.partners import partner_codes

    return partner_codes(conn)


def released_properties(
    schema: str, properties: dict[str, list[str]], redact: list[str], detail: str
) -> dict[str, list[str]]:
    """The record's properties as released: redacted ones left out; at ``reduced`` detail
    dates cut to the year and contact details (address, phone, e-mail, URL) dropped."""
    spec = get_schema(schema)
    assert spec is not None
    unknown = [r for r in redact if r not in spec.properties]
    if unknown:
        raise InvalidInput("hitnohit.bad_redaction", field=unknown[0][:60], schema=schema)
    out: dict[str, list[str]] = {}
    for name, values in properties.items():
        if name in redact:
            continue
        ptype = spec.properties[name].type.name if name in spec.properties else ""
        if detail == "reduced" and ptype in _CONTACT_TYPES:
            continue
        if detail == "reduced" and ptype == "date":
            values = sorted({v[:4] for v in values})
        out[name] = values
    required = [r for r in spec.required if r not in out]
    if required:
        raise InvalidInput("hitnohit.redacts_required", field=required[0], schema=schema)
    return out
