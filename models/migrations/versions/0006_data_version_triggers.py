"""data_version: bumped by triggers on UPDATE/DELETE of the tables the summaries derive from

The summaries' fingerprint holds the max id of each source table (catches inserts) and this
counter (catches updates and deletes in place, from any tool), so stale summaries are never used.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0006"
down_revision: Union[str, None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

SOURCES = ("enterprise", "union_org", "union_coverage", "party_coverage", "liaison_officer", "membership_change")
BUMP = "UPDATE dataset_info SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'data_version'"


def upgrade() -> None:
    op.execute("INSERT INTO dataset_info (key, value) SELECT 'data_version', '0' "
               "WHERE NOT EXISTS (SELECT 1 FROM dataset_info WHERE key = 'data_version')")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION dangong_bump_data_version() RETURNS trigger AS $$ "
            f"BEGIN {BUMP}; RETURN NULL; END $$ LANGUAGE plpgsql"
        )
        for table in SOURCES:
            op.execute(f"CREATE TRIGGER trg_{table}_data_version AFTER UPDATE OR DELETE OR TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION dangong_bump_data_version()")
    else:  # SQLite: row triggers (bulk inserts stay fast: inserts have no trigger)
        for table in SOURCES:
            for event in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER trg_{table}_{event.lower()}_data_version AFTER {event} ON {table} "
                           f"BEGIN {BUMP}; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in SOURCES:
            op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_data_version ON {table}")
        op.execute("DROP FUNCTION IF EXISTS dangong_bump_data_version()")
    else:
        for table in SOURCES:
            for event in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_{event}_data_version")
    op.execute("DELETE FROM dataset_info WHERE key IN ('data_version', 'summary_fingerprint')")
