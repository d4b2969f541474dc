"""The migration history stays one line: areas developed in parallel must chain their
revisions, never branch (a second head would make ``upgrade`` order-dependent)."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from puente.node import Node
from puente.store.migrate import _config


def test_one_linear_chain() -> None:
    script = ScriptDirectory.from_config(_config())
    heads = script.get_heads()
    assert len(heads) == 1, f"several heads: {heads}"
    revisions = list(script.walk_revisions())
    assert revisions[-1].down_revision is None
    assert all(not isinstance(r.down_revision, tuple) for r in revisions), "merge revisions"


def test_a_database_from_before_the_token_columns_gains_them(node: Node) -> None:
    """Back to 0009 (the token columns dropped), then ``upgrade``: 0010 and 0011 add
    them again; an index from then on has somewhere to keep a person's tokens."""
    from alembic import command
    from sqlalchemy import inspect

    from puente.store.migrate import current, head, upgrade

    def columns() -> set[str]:
        return {c["name"] for c in inspect(node.engine).get_columns("hitnohit_clks")}

    assert {"dob_year", "dob_date", "passport", "phone"} <= columns()
    cfg = _config()
    with node.engine.connect() as conn:
        conn = conn.execution_options(write=True)
        with conn.begin():
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0009_hitnohit_scheme")
    assert not {"dob_year", "dob_date", "passport", "phone"} & columns()
    upgrade(node.engine)
    assert current(node.engine) == head()
    assert {"dob_year", "dob_date", "passport", "phone"} <= columns()
