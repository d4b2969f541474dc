"""Exchange: per-partner signed feeds (outbox), builder state, released set, received
ledger (inbox), pull cursors and the request replay cache.

Revision ID: 0002_exchange
Revises: 0001
"""

from __future__ import annotations

from alembic import op

from puente.store.tables import metadata

revision = "0002_exchange"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = (
    "exchange_outbox",
    "exchange_feeds",
    "exchange_released",
    "exchange_inbox",
    "exchange_cursors",
    "exchange_nonces",
)


def upgrade() -> None:
    conn = op.get_bind()
    metadata.create_all(conn, tables=[metadata.tables[t] for t in TABLES])


def downgrade() -> None:
    conn = op.get_bind()
    metadata.drop_all(conn, tables=[metadata.tables[t] for t in reversed(TABLES)])
