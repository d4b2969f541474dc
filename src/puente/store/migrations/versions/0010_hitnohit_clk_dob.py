"""Hit/no-hit index: a person's birth-date tokens beside its CLK (read with it in one pass).

Revision ID: 0010_hitnohit_clk_dob
Revises: 0009_hitnohit_scheme
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_hitnohit_clk_dob"
down_revision = "0009_hitnohit_scheme"
branch_labels = None
depends_on = None
COLUMNS = ("dob_year", "dob_date")


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
