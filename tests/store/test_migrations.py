"""The migration history stays one line: areas developed in parallel must chain their
revisions, never branch (a second head would make ``upgrade`` order-dependent)."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from puente.store.migrate import _config


def test_one_linear_chain() -> None:
    script = ScriptDirectory.from_config(_config())
    heads = script.get_heads()
    assert len(heads) == 1, f"several heads: {heads}"
    revisions = list(script.walk_revisions())
    assert revisions[-1].down_revision is None
    assert all(not isinstance(r.down_revision, tuple) for r in revisions), "merge revisions"
