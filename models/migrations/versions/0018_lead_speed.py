"""founding leads at a million (issue 15): the days from discovery to the union kept on a 已建会 lead
(``days_to_union``, NULL on every other stage) with partial indexes that give the pipeline's medians
by township, by measure and in all in index order, and two partial indexes for the list's first page
— the open leads by the start of their stage, the overdue notices by deadline — so neither sorts the
100,000 open leads of a large district

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: Union[str, None] = "0017"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

#: LeadStage's stored values when this migration was written (a migration never imports the app)
FOUNDED, NOTICE_SENT = "founded", "notice_sent"
OPEN = "stage NOT IN ('founded', 'dropped')"
DAYS = "days_to_union IS NOT NULL"
#: name → (columns, partial-index condition)
INDEXES = {
    "ix_founding_lead_days_township": (["township_id", "days_to_union"], DAYS),
    "ix_founding_lead_days_source": (["source", "days_to_union"], DAYS),
    "ix_founding_lead_days": (["days_to_union"], DAYS),
    "ix_founding_lead_open": (["stage_on", "id"], OPEN),
    "ix_founding_lead_overdue": (["notice_deadline", "stage_on", "id"], f"stage = '{NOTICE_SENT}'"),
}


def upgrade() -> None:
    # a plain ADD COLUMN, not a batch rebuild: rebuilding founding_lead on SQLite would cascade to the
    # founding_lead_stage rows that refer to it (0016)
    op.add_column("founding_lead", sa.Column("days_to_union", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        days = "stage_on - identified_on"
    else:
        days = "CAST(julianday(stage_on) - julianday(identified_on) AS INTEGER)"
    op.execute(f"UPDATE founding_lead SET days_to_union = {days} WHERE stage = '{FOUNDED}'")
    for name, (columns, where) in INDEXES.items():
        op.create_index(name, "founding_lead", columns, sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="founding_lead")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_column("founding_lead", "days_to_union")
    else:  # SQLite ≥ 3.35 drops a plain column in place (no rebuild, see upgrade)
        op.execute("ALTER TABLE founding_lead DROP COLUMN days_to_union")
