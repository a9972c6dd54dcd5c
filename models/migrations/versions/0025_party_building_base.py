"""党建基数 (三有, issue 14 item 2): ``enterprise.fixed_premises`` (有固定经营场所) and
``enterprise.trading`` (有正常经营活动), both true for the enterprises already recorded; the stock
measures again over the 三有 base (``sy_<measure>``) in ``coverage_delta`` and ``coverage_month``; and
``enterprise_state.in_base``. The stored fingerprint is dropped, so the summaries are rebuilt
(``dangong db refresh-summary``; ``make run`` and ``seed demo --if-empty`` do it) before the query
layer uses them again — until then it uses the exact SQL.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-01
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: Union[str, None] = "0024"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLES = ("coverage_delta", "coverage_month")
#: ``models.tables.STOCK_MEASURES`` as of this revision, copied (a migration never imports the app)
STOCKS = ("operating", "unionised", "with_party_org", "qualified", "qualified_with_party_org",
          "party_or_liaison_unionised", "employees_unionised", "members_unionised", "pattern_union_and_branch",
          "pattern_union_and_liaison", "pattern_union_only", "pattern_no_union", "pattern_should_build",
          "party_or_liaison", "unionised_own", "with_party_org_own")
COLUMNS = tuple("sy_" + m for m in STOCKS)


def upgrade() -> None:
    # a plain ALTER TABLE … ADD COLUMN, not a batch: a batch rebuild of ``enterprise`` on SQLite would
    # lose its data_version triggers (0006) — the summaries would no longer notice an edit in place
    for column in ("fixed_premises", "trading"):
        op.add_column("enterprise", sa.Column(column, sa.Boolean(), nullable=False, server_default=sa.true()))
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            for column in COLUMNS:
                batch.add_column(sa.Column(column, sa.BigInteger(), server_default="0", nullable=False))
    with op.batch_alter_table("enterprise_state") as batch:
        batch.add_column(sa.Column("in_base", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.execute("DELETE FROM dataset_info WHERE key = 'summary_fingerprint'")


def downgrade() -> None:
    with op.batch_alter_table("enterprise_state") as batch:
        batch.drop_column("in_base")
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            for column in COLUMNS:
                batch.drop_column(column)
    # native DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch rebuild would lose the triggers (0011 does the same)
    op.execute("ALTER TABLE enterprise DROP COLUMN trading")
    op.execute("ALTER TABLE enterprise DROP COLUMN fixed_premises")
    op.execute("DELETE FROM dataset_info WHERE key = 'summary_fingerprint'")
