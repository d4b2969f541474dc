"""Hit/no-hit index: a person's birth-date tokens beside its CLK (read with it in one pass).

Revision ID: 0010_hitnohit_clk_dob
Revises: 0009_hitnohit_scheme
"""

from __future__ import annotations

from puente.store.migrations.columns import add_missing, drop

revision = "0010_hitnohit_clk_dob"
down_revision = "0009_hitnohit_scheme"
branch_labels = None
depends_on = None
COLUMNS = ("dob_year", "dob_date")


def upgrade() -> None:
    # existing indexes are rebuilt by the first refresh (a newer scheme)
    add_missing("hitnohit_clks", COLUMNS, 64)


def downgrade() -> None:
    drop("hitnohit_clks", COLUMNS)
