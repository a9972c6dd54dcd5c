"""row versions: ``version`` on the rows the pages update (action items, coordination notices)

Optimistic concurrency: a save sends the version its form showed and the UPDATE's WHERE holds
``version = :shown`` (``dashboard.edits.update_row``), so a save from an older form changes nothing
and is refused. Existing rows are backfilled with 1 by the column's server default (in the same
statement that adds it, on SQLite and PostgreSQL).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: Union[str, None] = "0007"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

#: the tables given a version by this revision (copied, not imported from the models)
TABLES = ("action_item", "coordination_notice")


def upgrade() -> None:
    for table in TABLES:
        # a plain server default: SQLite adds the column in place (no table rebuild), every
        # existing row reads 1, and rows written by any tool that does not name the column get 1
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
