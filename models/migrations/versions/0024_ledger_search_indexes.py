"""ledger search indexes on PostgreSQL (issue 19 item 1): a trigram GIN index on the enterprise's
name and a ``text_pattern_ops`` index on its USCC, so a search (name ILIKE '%x%' OR uscc LIKE 'x%')
is a bitmap OR of two index scans instead of a scan of every enterprise.

A search of one or two characters cannot use trigrams (the index would hand every row to the
recheck): the query writes the name as ``name || ''`` then, an expression no index covers, and the
statistics object ``st_enterprise_name_plain`` gives the planner that expression's histogram (what
``ANALYZE`` keeps for ``name`` itself), so that it still knows how many names match.

PostgreSQL only (``CREATE EXTENSION IF NOT EXISTS pg_trgm``, postgresql-contrib; statistics on an
expression need PostgreSQL 14); on SQLite the revision does nothing.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-01
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0024"
down_revision: Union[str, None] = "0023"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

NAME_TRGM = "ix_enterprise_name_trgm"
USCC_PATTERN = "ix_enterprise_uscc_pattern"
NAME_STATISTICS = "st_enterprise_name_plain"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(f"CREATE INDEX IF NOT EXISTS {NAME_TRGM} ON enterprise USING gin (name gin_trgm_ops)")
    op.execute(f"CREATE INDEX IF NOT EXISTS {USCC_PATTERN} ON enterprise (uscc text_pattern_ops)")
    op.execute(f"CREATE STATISTICS IF NOT EXISTS {NAME_STATISTICS} ON ((name || '')) FROM enterprise")
    op.execute("ANALYZE enterprise")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP STATISTICS IF EXISTS {NAME_STATISTICS}")
    op.execute(f"DROP INDEX IF EXISTS {USCC_PATTERN}")
    op.execute(f"DROP INDEX IF EXISTS {NAME_TRGM}")
    # the extension stays: other objects of the database may use it
