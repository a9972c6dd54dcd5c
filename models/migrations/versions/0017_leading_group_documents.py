"""the leading group's page (issue 16): the documents the group issued (``group_document``: title,
文号, issuer, date, summary) and row versions on the group's members for the page's forms

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: Union[str, None] = "0016"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "group_document",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("doc_no", sa.String(length=40), nullable=True),
        sa.Column("issuer", sa.String(length=80), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    )
    op.create_index("ix_group_document_issued_on", "group_document", ["issued_on"])
    with op.batch_alter_table("leading_group_member") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    op.execute("ALTER TABLE leading_group_member DROP COLUMN version")
    op.drop_index("ix_group_document_issued_on", table_name="group_document")
    op.drop_table("group_document")
