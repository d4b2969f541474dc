"""Bring a node database to the newest schema with Alembic (idempotent)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine


def _config() -> Config:
    cfg = Config()
    location = resources.files("puente.store").joinpath("migrations")
    cfg.set_main_option("script_location", str(location))
    return cfg


@cache
def head() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def upgrade(engine: Engine) -> None:
    if current(engine) == head():
        return  # already at the newest schema: skip loading the migration environment
    cfg = _config()
    with engine.connect() as conn:
        conn = conn.execution_options(write=True)
        with conn.begin():
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "heads")  # parallel areas may branch


def current(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
