"""双爱双评 award rounds, quotas, nominations (issue 16 item 2): ``award_round`` (a year's round:
its deadlines, the day the awards were published, its stage), ``award_quota`` (per round, township
and category) and ``double_love_award`` as the round's nominations (round, nominating township,
stage, dates, remark, row version). The existing rows are awards: each year becomes a published
round (opened 1 September, nominations to 31 October, evaluation to 30 November, published
1 December of its year — the day the older data counted them from), its rows awarded nominations of
the enterprise's township, each township's quota the number it was awarded.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01
"""
import datetime as dt
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: Union[str, None] = "0019"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# copies of the enums' stored values (models.enums at 0020): a migration never imports the app
ROUND_STATUSES = ("nominating", "evaluating", "awarded")
STAGES = ("nominated", "passed", "rejected", "awarded", "withdrawn")
CATEGORIES = ("worker", "manager")
#: the schedule given to a year's round of the older data (month, day)
OPENED, NOMINATE_BY, EVALUATE_BY, AWARDED_ON = (9, 1), (10, 31), (11, 30), (12, 1)
NEW_COLUMNS = ("round_id", "township_id", "stage", "nominated_on", "stage_on")
INDEXES = {
    "ix_double_love_award_progress": ["round_id", "township_id", "category", "stage", "stage_on", "nominated_on"],
    "ix_double_love_award_township": ["stage", "township_id", "round_id", "category", "enterprise_id", "year"],
    "ix_double_love_award_enterprise": ["stage", "enterprise_id", "round_id", "category", "year", "township_id"],
}


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def upgrade() -> None:
    op.create_table(
        "award_round",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False, unique=True),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("nominate_by", sa.Date(), nullable=False),
        sa.Column("evaluate_by", sa.Date(), nullable=False),
        sa.Column("awarded_on", sa.Date(), nullable=True),
        sa.Column("status", sa.Enum(*ROUND_STATUSES, native_enum=False, create_constraint=True, length=14,
                                    name="ck_awardroundstatus"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.CheckConstraint("nominate_by >= opened_on AND evaluate_by >= nominate_by", name="ck_award_round_dates"),
        sa.CheckConstraint("awarded_on IS NULL OR awarded_on >= opened_on", name="ck_award_round_awarded"),
    )
    op.create_table(
        "award_quota",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("award_round.id"), nullable=False),
        sa.Column("township_id", sa.Integer(), sa.ForeignKey("township.id"), nullable=False),
        sa.Column("category", sa.Enum(*CATEGORIES, native_enum=False, create_constraint=True, length=11,
                                      name="ck_awardcategory"), nullable=False),
        sa.Column("quota", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.UniqueConstraint("round_id", "township_id", "category", name="uq_award_quota"),
        sa.CheckConstraint("quota >= 0", name="ck_award_quota"),
    )
    with op.batch_alter_table("double_love_award") as batch:
        batch.add_column(sa.Column("round_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("township_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("stage", sa.String(length=13), nullable=True))
        batch.add_column(sa.Column("nominated_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("stage_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))

    conn = op.get_bind()
    rounds = sa.table("award_round", *(sa.column(c) for c in ("id", "year", "title", "opened_on", "nominate_by",
                                                              "evaluate_by", "awarded_on", "status")))
    awards = sa.table("double_love_award", *(sa.column(c) for c in ("id", "year", "round_id", "stage",
                                                                    "nominated_on", "stage_on")))
    years = [int(y) for (y,) in conn.execute(sa.text("SELECT DISTINCT year FROM double_love_award ORDER BY year"))]
    for year in years:
        opened, nominate_by, evaluate_by, awarded_on = (dt.date(year, *md) for md in
                                                        (OPENED, NOMINATE_BY, EVALUATE_BY, AWARDED_ON))
        rid = conn.execute(rounds.insert().values(
            year=year, title=f"{year}年度“双爱双评”", opened_on=opened, nominate_by=nominate_by,
            evaluate_by=evaluate_by, awarded_on=awarded_on, status="awarded",
        ).returning(rounds.c.id)).scalar_one()
        conn.execute(awards.update().where(awards.c.year == year).values(
            round_id=rid, stage="awarded", nominated_on=opened, stage_on=awarded_on))
    op.execute("UPDATE double_love_award SET township_id = "
               "(SELECT e.township_id FROM enterprise e WHERE e.id = double_love_award.enterprise_id)")
    op.execute("INSERT INTO award_quota (round_id, township_id, category, quota) "
               "SELECT round_id, township_id, category, count(*) FROM double_love_award "
               "GROUP BY round_id, township_id, category")

    with op.batch_alter_table("double_love_award") as batch:
        for column in ("round_id", "township_id"):
            batch.alter_column(column, existing_type=sa.Integer(), nullable=False)
        batch.alter_column("stage", existing_type=sa.String(length=13), nullable=False)
        for column in ("nominated_on", "stage_on"):
            batch.alter_column(column, existing_type=sa.Date(), nullable=False)
        batch.create_foreign_key("fk_double_love_award_round", "award_round", ["round_id"], ["id"])
        batch.create_foreign_key("fk_double_love_award_township", "township", ["township_id"], ["id"])
        batch.create_check_constraint("ck_nominationstage", f"stage IN ({_in(STAGES)})")
        batch.create_check_constraint("ck_double_love_award_dates", "stage_on >= nominated_on")
        for name, columns in INDEXES.items():
            batch.create_index(name, columns)


def downgrade() -> None:
    # 0019 knew awards only: a nomination that was not awarded has no place there, and dropping it
    # would lose it without a word — the downgrade refuses instead (nothing changed)
    kept = int(op.get_bind().execute(sa.text(
        "SELECT count(*) FROM double_love_award WHERE stage <> 'awarded'")).scalar_one())
    if kept:
        raise RuntimeError(
            f"0020 的降级会丢失 {kept} 条未获表彰的“双爱双评”推荐（0019 只能保存获奖记录）：请先备份并自行处理这些记录。"
            f" / Downgrading 0020 would lose {kept} double-love nominations that were not awarded (0019 holds awards "
            "only): back them up and remove them yourself first (DELETE FROM double_love_award WHERE stage <> "
            "'awarded'), then downgrade.")
    with op.batch_alter_table("double_love_award") as batch:
        for name in INDEXES:
            batch.drop_index(name)
        batch.drop_constraint("ck_double_love_award_dates", type_="check")
        batch.drop_constraint("ck_nominationstage", type_="check")
        batch.drop_constraint("fk_double_love_award_township", type_="foreignkey")
        batch.drop_constraint("fk_double_love_award_round", type_="foreignkey")
        for column in ("version", "note", "stage_on", "nominated_on", "stage", "township_id", "round_id"):
            batch.drop_column(column)
    op.drop_table("award_quota")
    op.drop_table("award_round")
