"""Resolution: features, blocking keys, models, scored pairs, clusters, decisions.

Revision ID: 0003_resolve
Revises: 0002_exchange
"""

from __future__ import annotations

from alembic import op

from puente.store.tables import metadata

revision = "0003_resolve"
down_revision = "0002_exchange"
branch_labels = None
depends_on = None

TABLES = (
    "resolve_features",
    "resolve_keys",
    "resolve_models",
    "resolve_pairs",
    "resolve_clusters",
    "resolve_decisions",
)


def upgrade() -> None:
    conn = op.get_bind()
    metadata.create_all(conn, tables=[metadata.tables[t] for t in TABLES])


def downgrade() -> None:
    conn = op.get_bind()
    metadata.drop_all(conn, tables=[metadata.tables[t] for t in reversed(TABLES)])
