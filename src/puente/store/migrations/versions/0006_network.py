"""Network analysis: derived edges and shared attributes, their cursor, stable
community ids.

Revision ID: 0006_network
Revises: 0007_coordinate
"""

from __future__ import annotations

from alembic import op

from puente.store.tables import metadata

revision = "0006_network"
down_revision = "0007_coordinate"
branch_labels = None
depends_on = None

TABLES = ("network_edges", "network_attrs", "network_state", "network_communities")


def upgrade() -> None:
    conn = op.get_bind()
    metadata.create_all(conn, tables=[metadata.tables[t] for t in TABLES])


def downgrade() -> None:
    conn = op.get_bind()
    metadata.drop_all(conn, tables=[metadata.tables[t] for t in reversed(TABLES)])
