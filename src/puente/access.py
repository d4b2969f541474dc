"""What a user may do with records: the one place clearance is enforced and reads of
sensitive records are audited. The API, the CLI and the web UI all go through here.

Invariants:
- a user never receives a record (or a search hit) whose classification level is above
  their clearance — search filters in SQL, single reads refuse with ``Forbidden``;
- every read of a record at ``restricted`` or above, and every search that returned
  such records, is written to the audit log in the same transaction as the read;
- every write is a new version, audited with the user as actor;
- every login (success or failure), token issued, user added and file loaded is audited;
  managing users and reading the audit log need ``admin``, writing and loading need
  ``analyst`` or ``releasing_officer`` — checked here, so every interface enforces them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from puente.errors import Conflict, Forbidden, InvalidFile, InvalidInput, NotFound, Unauthorized
from puente.ingest.load import LoadReport, load_file
from puente.model.markings import Markings, vocabulary
from puente.model.record import Record, validate_entity
from puente.node import Node
from puente.store import records
from puente.store import users as user_store
from puente.store.audit import AuditIssue
from puente.store.search import Hit, SearchQuery, search
from puente.store.users import User

AUDIT_LEVEL = vocabulary().levels["restricted"]


def read_record(node: Node, user: User, rid: str) -> Record:
    with node.write() as conn:
        record = records.get(conn, rid)
        denied = record.markings.level > user.clearance
        if denied:
            # Committed before refusing: a denied attempt is itself worth auditing.
            node.audit.append(
                conn, user.username, "read_denied", rid, {"level": record.markings.level}
            )
        elif record.markings.level >= AUDIT_LEVEL:
            node.audit.append(conn, user.username, "read", rid, {"version": record.version})
    if denied:
        raise Forbidden("error.clearance", id=rid)
    return record


def records_referencing(
    node: Node, user: User, value: str, *, origin: str | None = None, limit: int = 200
) -> list[Record]:
    """Records within the user's clearance whose properties reference ``value`` (a record
    id as the referencing record wrote it); audited like a search."""
    with node.write() as conn:
        found = records.referencing(
            conn, value, max_level=user.clearance, origin=origin, limit=limit
        )
        sensitive = [r.id for r in found if r.markings.level >= AUDIT_LEVEL]
        if sensitive:
            node.audit.append(conn, user.username, "references", value[:200], {"ids": sensitive})
    return found


def set_language(node: Node, user: User, lang: str) -> None:
    """A user's own language preference (every interface speaks it)."""
    with node.write() as conn:
        user_store.set_lang(conn, user.username, lang)


def record_history(node: Node, user: User, rid: str) -> list[dict[str, Any]]:
    read_record(node, user, rid)
    with node.read() as conn:
        versions = records.history(conn, rid)
    # Older versions may have been marked higher than the current one.
    return [v for v in versions if v["level"] <= user.clearance]


def held_at(node: Node, user: User, when: str, **kwargs: Any) -> tuple[int, list[dict[str, Any]]]:
    with node.write() as conn:
        total, page = records.held_at(conn, when, max_level=user.clearance, **kwargs)
        node.audit.append(conn, user.username, "held_at", when, {"returned": len(page)})
        return total, page


def search_records(node: Node, user: User, query: SearchQuery) -> tuple[list[Hit], bool]:
    query.max_level = min(query.max_level, user.clearance)
    # A search only reads; the write transaction (which serialises with every writer on
    # SQLite) is opened only when there is a sensitive hit to audit, and the hits are
    # returned only once that audit entry is committed.
    with node.read() as conn:
        hits, more = search(conn, query)
    sensitive = [h.id for h in hits if h.level >= AUDIT_LEVEL]
    if sensitive:
        with node.write() as conn:
            node.audit.append(conn, user.username, "search", query.q[:200], {"ids": sensitive})
    return hits, more


def save_record(
    node: Node,
    user: User,
    data: dict[str, Any],
    markings: dict[str, Any] | None,
    expected_version: int | None = None,
) -> Record:
    """Create or update one own record from an API/UI body (FtM shape)."""
    if not (user.has("analyst") or user.has("releasing_officer")):
        raise Forbidden("error.role", role="analyst")
    rid, schema, props, problems = validate_entity(data)
    if problems:
        for p in problems:
            p.file = "body"
        raise InvalidFile(problems, file="body")
    partners = node.partners()
    marks = (
        Markings.parse(markings, originator=node.country, partners=partners)
        if markings
        else node.default_markings
    )
    if marks.level > user.clearance:
        raise Forbidden("error.clearance", id=rid)
    with node.write() as conn:
        try:
            existing = records.get(conn, rid)
        except NotFound:
            existing = None
        if existing is not None:
            if existing.origin != node.country:
                raise Forbidden("error.read_only_copy", id=rid, origin=existing.origin)
            if existing.markings.level > user.clearance:
                raise Forbidden("error.clearance", id=rid)
        prepared = records.prepare(rid, schema, props, marks)
        record = records.save(
            conn,
            prepared,
            origin=node.country,
            actor=user.username,
            expected_version=expected_version,
        )
        node.audit.append(
            conn, user.username, "write", rid, {"version": record.version, "schema": schema}
        )
        return record


def create_record(
    node: Node, user: User, data: dict[str, Any], markings: dict[str, Any] | None
) -> Record:
    """Create a new own record; refuses (``Conflict``) when the id is already taken."""
    try:
        return save_record(node, user, data, markings, expected_version=0)
    except Conflict as exc:
        if exc.key != "error.version_conflict":
            raise
        raise Conflict("access.record_exists", id=data.get("id", "")) from exc


def update_record(
    node: Node,
    user: User,
    data: dict[str, Any],
    markings: dict[str, Any] | None,
    expected_version: int,
) -> Record:
    """Write a new version of an existing record, only if it is still at
    ``expected_version`` (lost updates become ``Conflict``)."""
    with node.read() as conn:
        records.get(conn, str(data.get("id", "")))  # NotFound before anything else
    return save_record(node, user, data, markings, expected_version=expected_version)


# --- accounts: logins, tokens, users ------------------------------------------------

SESSION_DAYS = 1
_PRINTABLE = re.compile(r"[^\x20-\x7e]")


def require_role(user: User, *roles: str) -> None:
    """Refuse unless ``user`` holds one of ``roles`` (``admin`` holds every role)."""
    if not any(user.has(r) for r in roles):
        raise Forbidden("error.role", role=roles[0])


def clearance_name(level: int) -> str:
    return next((c for c, v in vocabulary().levels.items() if v == level), str(level))


@dataclass(frozen=True)
class IssuedToken:
    username: str
    token: str
    name: str
    expires_at: str


def _issue(node: Node, actor: str, username: str, name: str, days: int, action: str) -> IssuedToken:
    if not 1 <= days <= 3650:
        raise InvalidInput("access.bad_days", value=days)
    expires = (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with node.write() as conn:
        token = user_store.create_token(conn, username, name, days)
        node.audit.append(conn, actor, action, username, {"name": name, "expires_at": expires})
    return IssuedToken(username, token, name, expires)


def login(node: Node, username: str, password: str) -> IssuedToken:
    """Check a password and open a session token; success and failure are audited."""
    try:
        if "\x00" in username:  # no user has one, and no database stores it
            raise Unauthorized("error.bad_login")
        with node.read() as conn:  # argon2 is slow: verify outside the write lock
            user = user_store.authenticate(conn, username, password)
    except Unauthorized:
        claimed = _PRINTABLE.sub("?", username)[:100]
        with node.write() as conn:
            node.audit.append(conn, "anonymous", "login_failed", claimed)
        raise
    return _issue(node, user.username, user.username, "login", SESSION_DAYS, "login")


def issue_token(
    node: Node, actor: User, name: str, days: int | None = None, username: str | None = None
) -> IssuedToken:
    """An API token for ``actor`` itself, or (admin only) for another user."""
    target = (username or actor.username).strip().lower()
    if target != actor.username:
        require_role(actor, "admin")
    if "\x00" in target:
        raise NotFound("error.no_user", username=target.replace("\x00", "?"))
    days = node.settings.token_days if days is None else days
    return _issue(node, actor.username, target, name, days, "token_create")


def add_user(
    node: Node,
    actor: User,
    username: str,
    password: str,
    roles: list[str],
    clearance: str,
    lang: str = "es",
) -> User:
    require_role(actor, "admin")
    with node.write() as conn:
        user = user_store.add_user(conn, username, password, roles, clearance, lang)
        node.audit.append(
            conn,
            actor.username,
            "user_add",
            user.username,
            {"roles": roles, "clearance": clearance},
        )
    return user


def list_users(node: Node, actor: User) -> list[User]:
    require_role(actor, "admin")
    with node.read() as conn:
        return user_store.list_users(conn)


# --- audit log and loads --------------------------------------------------------------


def audit_entries(
    node: Node, actor: User, *, after: int = 0, limit: int = 100, action: str | None = None
) -> list[dict[str, Any]]:
    require_role(actor, "admin")
    with node.read() as conn:
        return list(node.audit.entries(conn, after=after, limit=limit, action=action))


def audit_verify(node: Node, actor: User) -> tuple[int, list[AuditIssue]]:
    require_role(actor, "admin")
    with node.read() as conn:
        return node.audit.verify(conn)


def load_records(node: Node, user: User, path: Path, **options: Any) -> LoadReport:
    """Load a file as ``user`` (``puente.ingest.load_file`` keeps its guarantees)."""
    require_role(user, "analyst", "releasing_officer")
    return load_file(
        node, path, actor=user.username, max_bytes=node.settings.max_upload_mb << 20, **options
    )
