"""荐优纳新推评制 per person, stage by stage (issue 16 item 1)

``activist_recommendation`` keeps one row per person and gains the date of every stage (入党积极分子,
发展对象, 预备党员, 正式党员, 退出 with its reason), the worker representatives' evaluation of the
development candidate (职工代表评议: date and result), the recommending union and a row version; its
stages become recommended / activist / candidate / probationary / member / withdrawn (the old
``evaluated`` stage, between the recommendation and the activist, is gone: the evaluation is a date
and a result now). ``party_admission`` (new) holds the new Party members of an enterprise per year,
the denominator of the share that came through a union recommendation.

The rows there are keep what the old table knew — their current stage and its date: an ``evaluated``
row becomes a ``recommended`` one with a passed evaluation on its stage date; an ``activist``,
``probationary`` or ``member`` row gets that stage's date; the dates of the stages it passed before
are unknown (NULL). Down again, each row gets the furthest old stage its dates reach (a development
candidate is an activist, a withdrawn person keeps the stage reached before; a recommended person with
an evaluation is ``evaluated``); ``party_admission`` is dropped.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: ActivistStage's stored values before and after this migration (a migration never imports the app)
OLD_STAGES = ("recommended", "evaluated", "activist", "probationary", "member")
NEW_STAGES = ("recommended", "activist", "candidate", "probationary", "member", "withdrawn")
RESULTS = ("passed", "failed")
#: models.tables._ACTIVIST_ORDER as written with this migration
ORDER = " AND ".join(
    f"({b} IS NULL OR {a} IS NULL OR {b} >= {a})" for a, b in (
        ("recommended_on", "activist_on"), ("recommended_on", "candidate_on"), ("recommended_on", "probationary_on"),
        ("recommended_on", "member_on"), ("recommended_on", "withdrawn_on"), ("recommended_on", "evaluated_on"),
        ("activist_on", "candidate_on"), ("candidate_on", "probationary_on"), ("probationary_on", "member_on")))
DATES = ("activist_on", "candidate_on", "evaluated_on", "probationary_on", "member_on", "withdrawn_on")


def _stage(values: Sequence[str]) -> sa.Enum:
    return sa.Enum(*values, native_enum=False, create_constraint=True, length=16, name="ck_activiststage")


def upgrade() -> None:
    # 1. the new columns; the stage column loses its old CHECK (a plain VARCHAR while rows are mapped)
    with op.batch_alter_table("activist_recommendation") as batch:
        batch.add_column(sa.Column("union_id", sa.Integer(), nullable=True))
        for column in DATES:
            batch.add_column(sa.Column(column, sa.Date(), nullable=True))
        batch.add_column(sa.Column("evaluation", sa.Enum(*RESULTS, native_enum=False, create_constraint=True,
                                                         length=10, name="ck_evaluationresult"), nullable=True))
        batch.add_column(sa.Column("withdrawn_reason", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch.alter_column("stage", existing_type=_stage(OLD_STAGES), type_=sa.String(length=16),
                           existing_nullable=False)
    # 2. the rows there are: their current stage and its date
    op.execute("UPDATE activist_recommendation SET evaluated_on = stage_on, evaluation = 'passed', "
               "stage = 'recommended', stage_on = recommended_on WHERE stage = 'evaluated'")
    for stage, column in (("activist", "activist_on"), ("probationary", "probationary_on"), ("member", "member_on")):
        op.execute(f"UPDATE activist_recommendation SET {column} = stage_on WHERE stage = '{stage}'")
    # 3. the new stages' CHECK, the order of the dates, the union, the indexes
    with op.batch_alter_table("activist_recommendation") as batch:
        batch.alter_column("stage", existing_type=sa.String(length=16), type_=_stage(NEW_STAGES),
                           existing_nullable=False)
        batch.create_check_constraint("ck_activist_order", ORDER)
        batch.create_check_constraint("ck_activist_evaluation", "(evaluated_on IS NULL) = (evaluation IS NULL)")
        batch.create_foreign_key("fk_activist_union", "union_org", ["union_id"], ["id"])
        batch.create_index("ix_activist_recommendation_union_id", ["union_id"])
        batch.create_index("ix_activist_stage_on", ["stage", "stage_on"])
        batch.create_index("ix_activist_recommended_on", ["recommended_on"])
        batch.create_index("ix_activist_probationary_on", ["probationary_on"])
    op.create_table(
        "party_admission",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("enterprise.id"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("admitted", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.UniqueConstraint("enterprise_id", "year", name="uq_party_admission"),
        sa.CheckConstraint("admitted >= 0", name="ck_party_admission_admitted"),
    )
    op.create_index("ix_party_admission_year", "party_admission", ["year", "enterprise_id", "admitted"])


def downgrade() -> None:
    op.drop_index("ix_party_admission_year", table_name="party_admission")
    op.drop_table("party_admission")
    with op.batch_alter_table("activist_recommendation") as batch:
        for index in ("ix_activist_probationary_on", "ix_activist_recommended_on", "ix_activist_stage_on",
                      "ix_activist_recommendation_union_id"):
            batch.drop_index(index)
        batch.drop_constraint("fk_activist_union", type_="foreignkey")
        batch.drop_constraint("ck_activist_evaluation", type_="check")
        batch.drop_constraint("ck_activist_order", type_="check")
        batch.drop_constraint("ck_evaluationresult", type_="check")
        batch.alter_column("stage", existing_type=_stage(NEW_STAGES), type_=sa.String(length=16),
                           existing_nullable=False)
    # the furthest old stage each row's dates reach, and that stage's date
    op.execute(
        "UPDATE activist_recommendation SET "
        "stage = CASE WHEN member_on IS NOT NULL THEN 'member' WHEN probationary_on IS NOT NULL THEN 'probationary' "
        "WHEN candidate_on IS NOT NULL OR activist_on IS NOT NULL THEN 'activist' "
        "WHEN evaluated_on IS NOT NULL THEN 'evaluated' ELSE 'recommended' END, "
        "stage_on = CASE WHEN member_on IS NOT NULL THEN member_on WHEN probationary_on IS NOT NULL THEN probationary_on "
        "WHEN activist_on IS NOT NULL THEN activist_on WHEN candidate_on IS NOT NULL THEN candidate_on "
        "WHEN evaluated_on IS NOT NULL THEN evaluated_on ELSE recommended_on END")
    with op.batch_alter_table("activist_recommendation") as batch:
        batch.alter_column("stage", existing_type=sa.String(length=16), type_=_stage(OLD_STAGES),
                           existing_nullable=False)
        for column in ("version", "withdrawn_reason", "evaluation", *reversed(DATES), "union_id"):
            batch.drop_column(column)
