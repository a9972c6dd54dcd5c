"""``party_org`` is a source of the summaries (since 0012 ``with_party_org_own`` depends on its level
and enterprise): ``data_version`` triggers on it like those of 0006, and the stored fingerprint
(which now names its largest id too) dropped, so the summaries are refreshed before the query layer
uses them again (``dangong db refresh-summary``; ``make run`` and ``seed demo --if-empty`` do it)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0013"
down_revision: Union[str, None] = "0012"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BUMP = "UPDATE dataset_info SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'data_version'"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":  # dangong_bump_data_version() is 0006's
        op.execute("CREATE TRIGGER trg_party_org_data_version AFTER UPDATE OR DELETE OR TRUNCATE ON party_org "
                   "FOR EACH STATEMENT EXECUTE FUNCTION dangong_bump_data_version()")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER trg_party_org_{event.lower()}_data_version AFTER {event} ON party_org "
                       f"BEGIN {BUMP}; END")
    op.execute("DELETE FROM dataset_info WHERE key = 'summary_fingerprint'")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_party_org_data_version ON party_org")
    else:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS trg_party_org_{event}_data_version")
    op.execute("DELETE FROM dataset_info WHERE key = 'summary_fingerprint'")
