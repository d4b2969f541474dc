"""Users, roles, clearances and API tokens.

Passwords are hashed with argon2id; API tokens are random 32-byte strings shown once
and stored only as their SHA-256. A user's clearance is a classification level: they
never read a record above it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, select, update

from puente.errors import Conflict, InvalidInput, NotFound, Unauthorized
from puente.model.markings import vocabulary
from puente.store.audit import now
from puente.store.tables import tokens, users

ROLES = ("analyst", "releasing_officer", "secretariat", "admin")
_USERNAME = re.compile(r"^[a-z0-9_.@-]{2,100}$")
_hasher = PasswordHasher()


@dataclass(frozen=True)
class User:
    username: str
    roles: tuple[str, ...]
    clearance: int
    lang: str

    def has(self, role: str) -> bool:
        return role in self.roles or "admin" in self.roles


SYSTEM = User("system", ("admin",), 3, "en")


def _user(row: object) -> User:
    m = row._mapping  # type: ignore[attr-defined]
    return User(m["username"], tuple(m["roles"].split(",")), m["clearance"], m["lang"])


def add_user(
    conn: Connection,
    username: str,
    password: str,
    roles: list[str],
    clearance: str,
    lang: str = "es",
) -> User:
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise InvalidInput("error.bad_username", value=username)
    if len(password) < 10:
        raise InvalidInput("error.weak_password")
    bad = [r for r in roles if r not in ROLES]
    if bad or not roles:
        raise InvalidInput("error.bad_role", value=",".join(bad) or "-", allowed=", ".join(ROLES))
    levels = vocabulary().levels
    if clearance not in levels:
        raise InvalidInput("error.marking_bad_value", field="clearance", value=clearance)
    if lang not in ("es", "en"):
        raise InvalidInput("error.bad_lang", value=lang)
    if conn.execute(select(users.c.username).where(users.c.username == username)).first():
        raise Conflict("error.user_exists", username=username)
    conn.execute(
        users.insert(),
        {
            "username": username,
            "password_hash": _hasher.hash(password),
            "roles": ",".join(roles),
            "clearance": levels[clearance],
            "lang": lang,
            "active": True,
            "created_at": now(),
        },
    )
    return User(username, tuple(roles), levels[clearance], lang)


def list_users(conn: Connection) -> list[User]:
    return [_user(r) for r in conn.execute(select(users).order_by(users.c.username))]


def get_user(conn: Connection, username: str) -> User:
    row = conn.execute(
        select(users).where(users.c.username == username, users.c.active.is_(True))
    ).first()
    if row is None:
        raise NotFound("error.no_user", username=username)
    return _user(row)


def authenticate(conn: Connection, username: str, password: str) -> User:
    row = conn.execute(
        select(users).where(users.c.username == username.strip().lower(), users.c.active.is_(True))
    ).first()
    if row is None:
        _hasher.hash(password)  # same cost whether or not the user exists
        raise Unauthorized("error.bad_login")
    try:
        _hasher.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError) as exc:
        raise Unauthorized("error.bad_login") from exc
    return _user(row)


def set_lang(conn: Connection, username: str, lang: str) -> None:
    if lang not in ("es", "en"):
        raise InvalidInput("error.bad_lang", value=lang)
    conn.execute(update(users).where(users.c.username == username).values(lang=lang))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(conn: Connection, username: str, name: str, days: int) -> str:
    get_user(conn, username)
    token = "pt_" + secrets.token_urlsafe(32)
    expires = (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    conn.execute(
        tokens.insert(),
        {
            "token_hash": _digest(token),
            "username": username,
            "name": name,
            "created_at": now(),
            "expires_at": expires,
            "revoked": False,
        },
    )
    return token


def user_for_token(conn: Connection, token: str) -> User:
    row = conn.execute(
        select(tokens).where(tokens.c.token_hash == _digest(token), tokens.c.revoked.is_(False))
    ).first()
    if row is None or (row.expires_at and row.expires_at < now()):
        raise Unauthorized("error.bad_token")
    return get_user(conn, row.username)
