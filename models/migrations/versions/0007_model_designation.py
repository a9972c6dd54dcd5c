"""model_designation: staff designate or remove model enterprises (典型案例), with a reason

On a demo database (``dataset_info.dataset = 'demo'``) the upgrade also writes the three designations
a fresh demo has (恒通, 方田, 红光: the source names no honour of theirs), so an upgraded demo shows
the source's four models like a new one.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""
from typing import Sequence, Union

import datetime as dt

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: Union[str, None] = "0006"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "model_designation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("designated", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by_username", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_model_designation_enterprise_id", "model_designation", ["enterprise_id"])
    _demo_designations()


#: The demo generator's designations as they were when this revision was written (copied, not
#: imported: a migration must not change when the demo generator does).
MODEL_DESIGNATION_REASONS = {
    "吉林市恒通高压电气有限责任公司": "原文（典型带动）：继德运公司以后，恒通高压电气的党工组织迈入先进行列",
    "吉林市方田水泵有限公司": "原文（典型带动）：继德运公司以后，方田水泵的党工组织迈入先进行列；针对企业特点开展合理化建议、技术革新、劳动竞赛",
    "吉林市红光热能设备有限责任公司": "原文（典型带动）：纯私营企业党工组织跻身先进行列；1999年先建工会，2001年建党支部，书记主席一肩挑",
}
MODEL_DESIGNATION_AT = dt.datetime(2002, 12, 31, 9, 0, tzinfo=dt.UTC)


def _demo_designations() -> None:
    """On a demo database, the demo generator's designations of 恒通, 方田 and 红光 (same reasons, same
    time, by ``seed``); an enterprise that is missing (or not unique) or already has a designation is
    skipped. Plain SQL: the code's models may have moved on since this revision."""
    if op.get_context().as_sql:  # offline (--sql): no data to look at
        return
    bind = op.get_bind()
    dataset = bind.execute(sa.text("SELECT value FROM dataset_info WHERE key = 'dataset'")).scalar()
    if dataset != "demo":
        return
    insert = sa.text(
        "INSERT INTO model_designation (enterprise_id, designated, reason, by_username, at) "
        "VALUES (:enterprise_id, :designated, :reason, 'seed', :at)"
    ).bindparams(sa.bindparam("designated", type_=sa.Boolean()),
                 sa.bindparam("at", type_=sqlmodel.sql.sqltypes.UTCDateTime()))
    for name, reason in MODEL_DESIGNATION_REASONS.items():
        ids = bind.execute(sa.text("SELECT id FROM enterprise WHERE name = :name"), {"name": name}).scalars().all()
        if len(ids) != 1:
            continue
        if bind.execute(sa.text("SELECT 1 FROM model_designation WHERE enterprise_id = :id"), {"id": ids[0]}).first():
            continue
        bind.execute(insert, {"enterprise_id": ids[0], "designated": True, "reason": reason,
                              "at": MODEL_DESIGNATION_AT})


def downgrade() -> None:
    op.drop_index("ix_model_designation_enterprise_id", table_name="model_designation")
    op.drop_table("model_designation")
