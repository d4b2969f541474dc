"""API fixtures: a TestClient on the ``node`` fixture (so every API test runs on SQLite
and PostgreSQL) and users with different roles and clearances, each with a token."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from puente.api import create_app
from puente.node import Node
from puente.store import users
from puente.store.users import add_user, create_token

PASSWORD = "correct horse battery"


@dataclass
class Api:
    node: Node
    client: TestClient
    tokens: dict[str, str]

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


# username: (roles, clearance, lang)
USERS = {
    "admin": (["admin"], "secret", "en"),
    "ana": (["analyst"], "confidential", "en"),
    "beto": (["analyst"], "restricted", "es"),
    "pia": (["analyst"], "public", "en"),
    "sec": (["secretariat"], "confidential", "en"),
    "rel": (["releasing_officer"], "secret", "en"),
}


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Still argon2id (login verifies real hashes), at the smallest cost: the default
    parameters take ~1 s per hash on a loaded two-core machine and the fixture hashes
    six passwords per test."""
    monkeypatch.setattr(
        users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def api(node: Node) -> Iterator[Api]:
    tokens: dict[str, str] = {}
    with node.write() as conn:
        for name, (roles, clearance, lang) in USERS.items():
            add_user(conn, name, PASSWORD, roles, clearance, lang)
            tokens[name] = create_token(conn, name, "test", 1)
    with TestClient(create_app(node)) as client:
        yield Api(node, client, tokens)


def person(rid: str, name: str, classification: str = "restricted", **props: object) -> dict:  # type: ignore[type-arg]
    return {
        "id": rid,
        "schema": "Person",
        "properties": {"name": [name], **props},
        "markings": {
            "classification": classification,
            "handling": "H0",
            "source_reliability": "B",
            "info_credibility": "2",
        },
    }
