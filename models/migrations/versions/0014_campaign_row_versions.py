"""row versions on ``campaign`` and ``campaign_zone``: the campaigns page's forms edit them
(``dashboard.edits.campaigns``); a save from a form drawn before someone else's is refused

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: Union[str, None] = "0013"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLES = ("campaign", "campaign_zone")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    for table in TABLES:  # native DROP COLUMN: a batch rebuild would drop the table zones point at
        op.execute(f"ALTER TABLE {table} DROP COLUMN version")
