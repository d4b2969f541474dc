"""The audit log over HTTP (administrators only): page through entries, verify the
hash chain. The log itself is kept by ``puente.store.audit``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from puente import access
from puente.api.deps import NodeDep, UserDep
from puente.api.routers.common import error_responses
from puente.api.schemas import AuditEntryOut, AuditIssueOut, AuditPage, AuditVerifyOut

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get(
    "",
    summary="Audit log entries / Entradas de la bitácora",
    response_model=AuditPage,
    responses=error_responses(401, 403, 422),
)
def entries(
    node: NodeDep,
    user: UserDep,
    after: Annotated[int, Query(ge=0, le=2**62, description="Entries after this seq")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    action: Annotated[
        str | None,
        Query(max_length=64, pattern=r"^[a-z_]+$", description="Only this action (read, login…)"),
    ] = None,
) -> AuditPage:
    """Entries in chain order: logins, reads, searches of sensitive records, writes,
    loads, users and tokens. Page with ``after`` = the previous page's ``next_after``."""
    rows = access.audit_entries(node, user, after=after, limit=limit, action=action)
    next_after = rows[-1]["seq"] if len(rows) == limit else None
    return AuditPage(entries=[AuditEntryOut(**r) for r in rows], next_after=next_after)


@router.get(
    "/verify",
    summary="Verify the audit chain / Verificar la bitácora",
    response_model=AuditVerifyOut,
    responses=error_responses(401, 403),
)
def verify(node: NodeDep, user: UserDep) -> AuditVerifyOut:
    """Walk the HMAC chain and name every altered, removed or reordered entry by its
    position. ``ok`` is true only when there is no issue."""
    count, issues = access.audit_verify(node, user)
    return AuditVerifyOut(
        ok=not issues, count=count, issues=[AuditIssueOut(**i.to_dict()) for i in issues]
    )
