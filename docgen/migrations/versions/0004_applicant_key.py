"""Issued documents filed under their applicant's key (an HMAC of the ID number), for erasures.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("issued_documents") as table:
        table.add_column(sa.Column("applicant_key", sa.String(64), nullable=True))
        table.create_index("ix_issued_documents_applicant_key", ["applicant_key"])


def downgrade() -> None:
    with op.batch_alter_table("issued_documents") as table:
        table.drop_index("ix_issued_documents_applicant_key")
        table.drop_column("applicant_key")
