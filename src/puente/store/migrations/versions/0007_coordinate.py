"""Coordination: the log of computed-indicator evaluations.

Revision ID: 0007_coordinate
Revises: 0004_hitnohit
"""

from __future__ import annotations

from alembic import op

from puente.store.tables import metadata

revision = "0007_coordinate"
down_revision = "0004_hitnohit"
branch_labels = None
depends_on = None

TABLES = ("coordinate_evaluations",)


def upgrade() -> None:
    conn = op.get_bind()
    metadata.create_all(conn, tables=[metadata.tables[t] for t in TABLES])


def downgrade() -> None:
    conn = op.get_bind()
    metadata.drop_all(conn, tables=[metadata.tables[t] for t in reversed(TABLES)])
