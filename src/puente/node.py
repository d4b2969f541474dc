"""A Puente node: its settings, database, keys and audit log, opened together.

``init_node`` creates a node directory (settings, secret, Ed25519 key pair, database at
the newest migration); ``Node.open`` opens an existing one. Features receive a ``Node``
and use ``node.write()`` / ``node.read()`` for transactions and ``node.audit`` to record
what they did, in the same transaction as the change itself.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from puente.crypto import fingerprint, generate_keypair
from puente.errors import ConfigError
from puente.model.countries import country_code
from puente.model.markings import Markings, vocabulary
from puente.settings import CONFIG_FILE, SECRET_FILE, Settings, load_settings, write_config
from puente.store import db
from puente.store.audit import AuditLog
from puente.store.migrate import upgrade
from puente.store.partners import partner_codes


class Node:
    def __init__(self, settings: Settings, engine: Engine | None = None) -> None:
        self.settings = settings
        self.engine = engine or db.make_engine(settings.database_url)
        upgrade(self.engine)
        secret = settings.secret or "development-only-secret"
        self.audit = AuditLog(secret.encode())

    @classmethod
    def open(cls, node_dir: str | Path, **overrides: Any) -> Node:
        return cls(load_settings(node_dir, **overrides))

    @property
    def country(self) -> str:
        return self.settings.country

    @cached_property
    def public_key(self) -> str:
        return self.settings.public_key_path.read_text("utf-8").strip()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    @cached_property
    def default_markings(self) -> Markings:
        data = self.settings.default_markings or vocabulary().default
        return Markings.parse(data, originator=self.country)

    def partners(self) -> set[str]:
        with self.read() as conn:
            return partner_codes(conn)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with db.write(self.engine) as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with db.read(self.engine) as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()


def init_node(
    node_dir: str | Path,
    country: str,
    *,
    name: str = "",
    db_url: str = "",
    default_markings: dict[str, Any] | None = None,
) -> Node:
    """Create a node directory; refuses to overwrite an existing node."""
    node = Path(node_dir).expanduser().resolve()
    if (node / CONFIG_FILE).exists():
        raise ConfigError("error.node_exists", path=str(node))
    code = country_code(country)
    marks = dict(default_markings or vocabulary().default)
    Markings.parse(marks, originator=code, partners=())  # refuse a bad default early
    node.mkdir(parents=True, exist_ok=True)
    (node / SECRET_FILE).write_text(secrets.token_hex(32) + "\n", "utf-8")
    (node / SECRET_FILE).chmod(0o600)
    write_config(node, code, name or code, db_url, marks)
    settings = load_settings(node, db_url=db_url or None)  # the explicit URL beats PUENTE_DB_URL
    generate_keypair(settings.key_path, settings.public_key_path)
    return Node(settings)
