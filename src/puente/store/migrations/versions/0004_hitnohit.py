"""Hit/no-hit: pair settings, per-partner encodings index, query logs, hits, requests.

Revision ID: 0004_hitnohit
Revises: 0005_trace
"""

from __future__ import annotations

from alembic import op

from puente.store.tables import metadata

revision = "0004_hitnohit"
down_revision = "0005_trace"
branch_labels = None
depends_on = None

TABLES = (
    "hitnohit_pairs",
    "hitnohit_tokens",
    "hitnohit_clks",
    "hitnohit_index",
    "hitnohit_queries",
    "hitnohit_hits",
    "hitnohit_requests",
)


def upgrade() -> None:
    conn = op.get_bind()
    metadata.create_all(conn, tables=[metadata.tables[t] for t in TABLES])


def downgrade() -> None:
    conn = op.get_bind()
    metadata.drop_all(conn, tables=[metadata.tables[t] for t in reversed(TABLES)])
