"""Indexes that exist on PostgreSQL only, outside the models' metadata (migration 0024).

The ledger's search (``dashboard.queries.ledger``) is a substring of the name or a prefix of the
USCC. On PostgreSQL a trigram GIN index (``pg_trgm``) serves the name's ``ILIKE '%…%'`` and a
``text_pattern_ops`` b-tree the USCC's ``LIKE '…%'`` (the plain unique index cannot under a
non-C collation), so that the planner combines them in a bitmap OR. SQLite has neither kind of
index. SQLAlchemy has no dialect-conditional index that alembic's autogenerate understands, so
these are not declared in ``models.tables``; :func:`include_object` makes the schema comparison
(alembic's autogenerate in ``models/migrations/env.py``, the tests' ``compare_metadata``) leave
them out instead of reporting them as indexes to drop.
"""

from __future__ import annotations

#: (index name, table) of every PostgreSQL-only index, and the revision that creates it
POSTGRES_ONLY_INDEXES: dict[str, tuple[str, str]] = {
    "ix_enterprise_name_trgm": ("enterprise", "0024"),
    "ix_enterprise_uscc_pattern": ("enterprise", "0024"),
}


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # alembic's include_object signature
    """False for a PostgreSQL-only index found in the database and absent from the metadata."""
    return not (type_ == "index" and reflected and compare_to is None and name in POSTGRES_ONLY_INDEXES)
