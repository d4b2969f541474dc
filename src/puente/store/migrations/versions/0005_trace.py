"""Firearm tracing: acquisition index, trace requests and items.

Revision ID: 0005_trace
Revises: 0003_resolve
"""

from __future__ import annotations

from alembic import op

from puente.store.tables import metadata

revision = "0005_trace"
down_revision = "0003_resolve"
branch_labels = None
depends_on = None

TABLES = ("trace_guns", "trace_keys", "trace_index_state", "trace_requests", "trace_items")


def upgrade() -> None:
    conn = op.get_bind()
    metadata.create_all(conn, tables=[metadata.tables[t] for t in TABLES])


def downgrade() -> None:
    conn = op.get_bind()
    metadata.drop_all(conn, tables=[metadata.tables[t] for t in reversed(TABLES)])
