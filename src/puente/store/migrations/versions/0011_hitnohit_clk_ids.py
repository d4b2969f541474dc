"""Hit/no-hit index: a person's passport and phone tokens beside its CLK.

Revision ID: 0011_hitnohit_clk_ids
Revises: 0010_hitnohit_clk_dob
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_hitnohit_clk_ids"
down_revision = "0010_hitnohit_clk_dob"
branch_labels = None
depends_on = None
COLUMNS = ("passport", "phone")


def upgrade() -> None:
    # 0004 creates the tables from the current metadata: a new database has the columns.
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("hitnohit_clks")}
    for name in COLUMNS:
        if name not in have:
            # existing indexes are rebuilt by the first refresh (a newer scheme)
            op.add_column(
                "hitnohit_clks",
                sa.Column(name, sa.String(64), nullable=False, server_default=""),
            )


def downgrade() -> None:
    for name in COLUMNS:
        op.drop_column("hitnohit_clks", name)
