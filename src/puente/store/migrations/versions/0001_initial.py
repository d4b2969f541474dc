"""Node foundation: records and their versions, search, users, tokens, audit, partners.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from alembic import op

from puente.store import db
from puente.store.tables import metadata

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = (
    "records",
    "record_versions",
    "changes",
    "identifiers",
    "users",
    "tokens",
    "audit_log",
    "partners",
    "loads",
)


def upgrade() -> None:
    conn = op.get_bind()
    metadata.create_all(conn, tables=[metadata.tables[t] for t in TABLES])
    db.fts_create(conn)


def downgrade() -> None:
    conn = op.get_bind()
    db.fts_drop(conn)
    metadata.drop_all(conn, tables=[metadata.tables[t] for t in reversed(TABLES)])
