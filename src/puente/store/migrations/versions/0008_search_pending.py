"""Full-text index on PostgreSQL: a short GIN pending list (see ``db.GIN_PENDING_KB``).

Revision ID: 0008_search_pending
Revises: 0006_network
"""

from __future__ import annotations

from alembic import op

from puente.store import db

revision = "0008_search_pending"
down_revision = "0006_network"
branch_labels = None
depends_on = None


def upgrade() -> None:
    db.fts_tune(op.get_bind())


def downgrade() -> None:
    """The setting is harmless to keep; nothing to undo."""
