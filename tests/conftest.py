"""Shared fixtures. Every test that takes ``node`` (or ``make_node``) runs twice: on
SQLite and on PostgreSQL (a fresh database per test, dropped afterwards).

PostgreSQL is found through ``PUENTE_TEST_PG_URL`` (an admin URL; ``.ci/run`` sets it
and starts the server). Without it the PostgreSQL half is skipped with a reason, so a
laptop without PostgreSQL still runs the SQLite half; CI always runs both.
"""

from __future__ import annotations

import atexit
import functools
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from puente.node import Node, init_node
from puente.store.db import make_engine
from puente.store.migrate import upgrade

PG_ADMIN = os.environ.get("PUENTE_TEST_PG_URL", "")
SHARED = Path(__file__).resolve().parents[2] / "shared"


def _admin() -> Engine:
    return create_engine(
        PG_ADMIN.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )


@functools.cache
def _template() -> str:
    """A database at the newest migration, copied for each test (CREATE DATABASE …
    TEMPLATE is a file copy: much faster than running every migration per test)."""
    name = f"puente_tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = _admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}")
    upgrade(engine)
    engine.dispose()

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    atexit.register(drop)
    return name


def pg_database() -> Iterator[str]:
    """Create a throw-away PostgreSQL database at the newest schema, yield its URL, drop it."""
    if not PG_ADMIN:
        pytest.skip("PUENTE_TEST_PG_URL not set (CI sets it)")
    name = f"puente_t_{uuid.uuid4().hex[:12]}"
    template = _template()
    admin = _admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    base = PG_ADMIN.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """``""`` for SQLite (the node's own file) or a fresh PostgreSQL URL."""
    if request.param == "sqlite":
        yield ""
    else:
        yield from pg_database()


@pytest.fixture
def make_node(tmp_path: Path, backend: str) -> Iterator[Callable[..., Node]]:
    """Create nodes on the test's backend: ``make_node("MX", partners={"USA": node_us})``.

    On PostgreSQL each extra node gets its own database."""
    made: list[Node] = []
    extra_dbs: list[Iterator[str]] = []

    def factory(country: str = "MX", name: str | None = None, **kwargs: Any) -> Node:
        db_url = backend
        if backend and made:
            gen = pg_database()
            db_url = next(gen)
            extra_dbs.append(gen)
        node = init_node(tmp_path / (name or country.lower()), country, db_url=db_url, **kwargs)
        made.append(node)
        return node

    yield factory
    for node in made:
        node.close()
    for gen in extra_dbs:
        for _ in gen:
            pass


@pytest.fixture
def node(make_node: Callable[..., Node]) -> Node:
    return make_node("MX")
