"""单独建立 / 联合建立: ``unionised_own`` (operating enterprises covered by a union of their own) and
``with_party_org_own`` (by a Party organisation of their own, not a joint branch) in the summary
tables — the joint figures are the differences from ``unionised`` / ``with_party_org``. The
stored fingerprint is dropped, so the summaries are rebuilt (``dangong db refresh-summary``; ``make
run`` and ``seed demo --if-empty`` do it) before the query layer uses them again — until then it
uses the exact SQL

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: Union[str, None] = "0011"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLES = ("coverage_delta", "coverage_month")
COLUMNS = ("unionised_own", "with_party_org_own")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            for column in COLUMNS:
                batch.add_column(sa.Column(column, sa.BigInteger(), server_default="0", nullable=False))
    op.execute("DELETE FROM dataset_info WHERE key = 'summary_fingerprint'")


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            for column in COLUMNS:
                batch.drop_column(column)
    op.execute("DELETE FROM dataset_info WHERE key = 'summary_fingerprint'")
