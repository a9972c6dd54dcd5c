"""import batches and headcount censuses: ``import_batch`` (each ledger import, its diff and what
undoing it takes) and ``headcount_census`` (an enterprise's headcounts by date, kept as history)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op
import sqlmodel

revision: str = "0009"
down_revision: Union[str, None] = "0008"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

#: copied from 0006 (a migration never imports another)
BUMP = "UPDATE dataset_info SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'data_version'"
LEDGER_BUMP = BUMP.replace("'data_version'", "'ledger_version'")
#: the tables an import writes that the summaries do not derive from
LEDGER_ONLY = ("township", "unit", "party_org")


def upgrade() -> None:
    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("username", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_date", sa.Date(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("summary_json", sa.Text(), nullable=False),
        sa.Column("undo_json", sa.Text(), nullable=False),
        sa.Column("data_mark", sa.String(length=400), nullable=False),
        sa.Column("undone_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("undone_by", sa.String(length=40), nullable=True),
    )
    op.create_index("ix_import_batch_at", "import_batch", ["at"])
    op.create_index("ix_import_batch_sha256", "import_batch", ["sha256"])
    op.create_table(
        "headcount_census",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("enterprise.id"), nullable=False),
        sa.Column("census_on", sa.Date(), nullable=False),
        sa.Column("employees", sa.Integer(), nullable=False),
        sa.Column("party_members", sa.Integer(), nullable=False),
        sa.Column("union_members", sa.Integer(), nullable=True),
        sa.Column("batch_id", sa.Integer(), sa.ForeignKey("import_batch.id"), nullable=True),
        sa.CheckConstraint("employees >= 0 AND party_members >= 0", name="ck_census_counts"),
        sa.UniqueConstraint("enterprise_id", "census_on", name="uq_census_enterprise_day"),
    )
    op.create_index("ix_headcount_census_batch_id", "headcount_census", ["batch_id"])
    # the summaries derive from the censuses too (0006): an update or delete in place makes them stale;
    # ``ledger_version`` counts updates and deletes of the other tables an import writes, so that an
    # import is undone only while nothing of it was edited since (dashboard/edits/ledger_import.py)
    op.execute("INSERT INTO dataset_info (key, value) SELECT 'ledger_version', '0' "
               "WHERE NOT EXISTS (SELECT 1 FROM dataset_info WHERE key = 'ledger_version')")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TRIGGER trg_headcount_census_data_version AFTER UPDATE OR DELETE OR TRUNCATE ON "
                   "headcount_census FOR EACH STATEMENT EXECUTE FUNCTION dangong_bump_data_version()")
        op.execute("CREATE OR REPLACE FUNCTION dangong_bump_ledger_version() RETURNS trigger AS $$ "
                   f"BEGIN {LEDGER_BUMP}; RETURN NULL; END $$ LANGUAGE plpgsql")
        for table in LEDGER_ONLY:
            op.execute(f"CREATE TRIGGER trg_{table}_ledger_version AFTER UPDATE OR DELETE OR TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION dangong_bump_ledger_version()")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER trg_headcount_census_{event.lower()}_data_version AFTER {event} ON "
                       f"headcount_census BEGIN {BUMP}; END")
            for table in LEDGER_ONLY:
                op.execute(f"CREATE TRIGGER trg_{table}_{event.lower()}_ledger_version AFTER {event} ON {table} "
                           f"BEGIN {LEDGER_BUMP}; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_headcount_census_data_version ON headcount_census")
        for table in LEDGER_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_ledger_version ON {table}")
        op.execute("DROP FUNCTION IF EXISTS dangong_bump_ledger_version()")
    else:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS trg_headcount_census_{event}_data_version")
            for table in LEDGER_ONLY:
                op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_{event}_ledger_version")
    op.execute("DELETE FROM dataset_info WHERE key = 'ledger_version'")
    op.drop_index("ix_headcount_census_batch_id", table_name="headcount_census")
    op.drop_table("headcount_census")
    op.drop_index("ix_import_batch_sha256", table_name="import_batch")
    op.drop_index("ix_import_batch_at", table_name="import_batch")
    op.drop_table("import_batch")
