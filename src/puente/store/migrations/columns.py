"""Adding columns that a newer metadata already creates.

Migration 0004 creates the tables from the current metadata, so on a new database a
later migration's columns already exist; on an older one they are added. Used by the
migrations that add columns (``versions/``)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


def add_missing(table: str, names: Sequence[str], length: int) -> None:
    """Add each of ``names`` to ``table`` as a string column of ``length`` (not null,
    default '') unless it is there already."""
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}
    for name in names:
        if name not in have:
            op.add_column(
                table, sa.Column(name, sa.String(length), nullable=False, server_default="")
            )


def drop(table: str, names: Sequence[str]) -> None:
    for name in names:
        op.drop_column(table, name)
