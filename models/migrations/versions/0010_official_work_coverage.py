"""official 党的工作覆盖率: ``party_or_liaison`` (operating enterprises with a Party organisation or
a liaison officer) in the summary tables; the stored fingerprint dropped, so the summaries are
rebuilt (``dangong db refresh-summary``; ``make run`` and ``seed demo --if-empty`` do it) before the
query layer uses them again — until then it uses the exact SQL

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: Union[str, None] = "0009"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLES = ("coverage_delta", "coverage_month")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("party_or_liaison", sa.BigInteger(), server_default="0", nullable=False))
    op.execute("DELETE FROM dataset_info WHERE key = 'summary_fingerprint'")


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("party_or_liaison")
    op.execute("DELETE FROM dataset_info WHERE key = 'summary_fingerprint'")
