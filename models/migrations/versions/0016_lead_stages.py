"""founding leads (建会线索, issue 15): dated stage changes (``founding_lead_stage``: one row per
period a lead spent in a stage, so the pipeline can be read as of any date), the lead's row version,
the owner's name (and no owner unit yet allowed: a lead made from a new registration in a township
without a union unit), the reason a lead was dropped, the date its current stage began and the union
it led to; the existing leads get one stage row from their identification date (and a second one from
their closing date when they are closed)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: Union[str, None] = "0015"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

#: LeadStage's stored values when this migration was written (a migration never imports the app)
STAGES = ("identified", "contacted", "notice_sent", "preparing", "founded", "dropped")
CLOSED = ("founded", "dropped")
PIPELINE_INDEX = ("township_id", "source", "stage", "identified_on", "stage_on", "notice_deadline")


def upgrade() -> None:
    # founding_lead first: a batch rebuild of it once founding_lead_stage points at it would cascade
    # (SQLite drops the old table, deleting the rows that refer to it)
    with op.batch_alter_table("founding_lead") as batch:
        batch.add_column(sa.Column("owner_name", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("drop_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("stage_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("union_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    # the leads there are: their current stage from the day they were identified, or closed on the
    # closing day (after an identified period)
    op.execute("UPDATE founding_lead SET stage_on = COALESCE(closed_on, identified_on)")
    with op.batch_alter_table("founding_lead") as batch:
        batch.alter_column("stage_on", existing_type=sa.Date(), nullable=False)
        # a lead made from a new registration in a township without a union unit has no owner yet
        batch.alter_column("owner_unit_id", existing_type=sa.Integer(), nullable=True)
        batch.create_foreign_key("fk_lead_union", "union_org", ["union_id"], ["id"])
        batch.create_index("ix_founding_lead_notice_deadline", ["notice_deadline"])
        batch.create_index("ix_founding_lead_union_id", ["union_id"])
        batch.create_index("ix_founding_lead_stage_on", ["stage_on"])
        # the pipeline's counts by township, measure and stage read from this index alone
        batch.create_index("ix_founding_lead_pipeline", list(PIPELINE_INDEX))
    op.create_table(
        "founding_lead_stage",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lead_id", sa.Integer(), sa.ForeignKey("founding_lead.id", ondelete="CASCADE"), nullable=False),
        sa.Column("stage", sa.Enum(*STAGES, native_enum=False, create_constraint=True, length=15,
                                   name="ck_leadstage"), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=True),
        sa.Column("username", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("end_on IS NULL OR end_on >= start_on", name="ck_lead_stage_dates"),
    )
    op.create_index("ix_founding_lead_stage_lead_id", "founding_lead_stage", ["lead_id", "start_on"])
    op.create_index("ix_founding_lead_stage_stage_start", "founding_lead_stage", ["stage", "start_on"])
    closed = ", ".join(f"'{s}'" for s in CLOSED)
    op.execute(
        "INSERT INTO founding_lead_stage (lead_id, stage, start_on, end_on, username, at) "
        "SELECT id, 'identified', identified_on, closed_on, 'migration', CURRENT_TIMESTAMP FROM founding_lead "
        f"WHERE stage IN ({closed}) AND closed_on IS NOT NULL AND closed_on > identified_on"
    )
    op.execute(
        "INSERT INTO founding_lead_stage (lead_id, stage, start_on, end_on, username, at) "
        "SELECT id, stage, COALESCE(closed_on, identified_on), NULL, 'migration', CURRENT_TIMESTAMP FROM founding_lead"
    )


def downgrade() -> None:
    op.drop_index("ix_founding_lead_stage_stage_start", table_name="founding_lead_stage")
    op.drop_index("ix_founding_lead_stage_lead_id", table_name="founding_lead_stage")
    op.drop_table("founding_lead_stage")
    op.execute("DELETE FROM founding_lead WHERE owner_unit_id IS NULL")  # 0015 had no lead without an owner
    with op.batch_alter_table("founding_lead") as batch:
        for index in ("ix_founding_lead_pipeline", "ix_founding_lead_stage_on", "ix_founding_lead_union_id",
                      "ix_founding_lead_notice_deadline"):
            batch.drop_index(index)
        batch.drop_constraint("fk_lead_union", type_="foreignkey")
        batch.alter_column("owner_unit_id", existing_type=sa.Integer(), nullable=False)
        for column in ("version", "union_id", "stage_on", "drop_reason", "owner_name"):
            batch.drop_column(column)
