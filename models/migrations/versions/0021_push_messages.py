"""push (issue 20): one row per message the scheduled push sends — its idempotency key (unique:
a rerun never sends it twice), channel, kind, the date its figures are as of, status, attempts,
the next attempt after a failure and the last error

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: Union[str, None] = "0020"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

#: PushStatus's and PushKind's stored values when this migration was written (column length: the
#: longest + 4, as models.tables._enum makes it)
STATUSES = ("pending", "sending", "sent", "skipped", "failed")
KINDS = ("brief", "summary", "reminder", "escalation", "test")


def upgrade() -> None:
    op.create_table(
        "push_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.Enum(*KINDS, native_enum=False, create_constraint=True, length=14,
                                  name="ck_pushkind"), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("params", sa.Text(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("status", sa.Enum(*STATUSES, native_enum=False, create_constraint=True, length=11,
                                    name="ck_pushstatus"), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.UniqueConstraint("key", name="uq_push_message_key"),
    )
    op.create_index("ix_push_message_status_next", "push_message", ["status", "next_attempt_at"])
    op.create_index("ix_push_message_created_at", "push_message", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_push_message_created_at", table_name="push_message")
    op.drop_index("ix_push_message_status_next", table_name="push_message")
    op.drop_table("push_message")
