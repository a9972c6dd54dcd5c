"""zone targets for Party organisations and liaison officers (issue 15: 锁定指标 — new unions, new
members, Party organisations, liaison officers); 0 (no target) for the zones there are

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: Union[str, None] = "0014"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

COLUMNS = ("target_party_orgs", "target_liaisons")


def upgrade() -> None:
    with op.batch_alter_table("campaign_zone") as batch:
        for column in COLUMNS:
            batch.add_column(sa.Column(column, sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    for column in COLUMNS:  # native DROP COLUMN (a batch rebuild would drop the table zones' townships point at)
        op.execute(f"ALTER TABLE campaign_zone DROP COLUMN {column}")
