"""Hit/no-hit index: the encoding scheme it was made with (rebuilt when it changes).

Revision ID: 0009_hitnohit_scheme
Revises: 0008_search_pending
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_hitnohit_scheme"
down_revision = "0008_search_pending"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # 0004 creates the tables from the current metadata: a new database has the column.
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("hitnohit_index")}
    if "scheme" in columns:
        return
    # Existing indexes get "" and are rebuilt by the first refresh.
    op.add_column(
        "hitnohit_index",
        sa.Column("scheme", sa.String(16), nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_column("hitnohit_index", "scheme")
