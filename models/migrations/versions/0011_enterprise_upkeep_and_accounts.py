"""enterprise upkeep and accounts in the browser: ``version`` on ``enterprise`` and ``app_user``
(row versions for the forms that change them), ``enterprise_change`` (the dated history of what has
no table of its own — a move to another township, a barrier noted or cleared), and
``app_user.must_change_password`` (an account created or reset with a one-time password sets its
own at the first sign-in)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: Union[str, None] = "0010"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

#: the tables given a version by this revision (copied, not imported from the models)
TABLES = ("enterprise", "app_user")


def upgrade() -> None:
    for table in TABLES:
        # a plain server default: SQLite adds the column in place (no table rebuild, the triggers of
        # 0006/0009 stay), every existing row reads 1
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "enterprise_change",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("enterprise.id"), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("before_value", sa.String(length=80), nullable=True),
        sa.Column("after_value", sa.String(length=80), nullable=True),
        sa.Column("username", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('moved', 'barrier')", name="ck_enterprise_change_kind"),
    )
    op.create_index("ix_enterprise_change_enterprise", "enterprise_change", ["enterprise_id", "changed_on"])


def downgrade() -> None:
    op.drop_index("ix_enterprise_change_enterprise", table_name="enterprise_change")
    op.drop_table("enterprise_change")
    # a native DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch rebuild of ``enterprise`` would drop
    # the table the other tables' foreign keys point at, and its triggers
    op.execute("ALTER TABLE app_user DROP COLUMN must_change_password")
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} DROP COLUMN version")
