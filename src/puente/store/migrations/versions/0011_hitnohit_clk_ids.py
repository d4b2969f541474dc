"""Hit/no-hit index: a person's passport and phone tokens beside its CLK.

Revision ID: 0011_hitnohit_clk_ids
Revises: 0010_hitnohit_clk_dob
"""

from __future__ import annotations

from puente.store.migrations.columns import add_missing, drop

revision = "0011_hitnohit_clk_ids"
down_revision = "0010_hitnohit_clk_dob"
branch_labels = None
depends_on = None
COLUMNS = ("passport", "phone")


def upgrade() -> None:
    # existing indexes are rebuilt by the first refresh (a newer scheme)
    add_missing("hitnohit_clks", COLUMNS, 64)


def downgrade() -> None:
    drop("hitnohit_clks", COLUMNS)
