"""Each unit's seal image and signing certificate (its PKCS#12 encrypted with SECRET_KEY), issue 25.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unit_credentials",
        sa.Column("unit", sa.String(200), primary_key=True),
        sa.Column("seal_png", sa.LargeBinary, nullable=True),
        sa.Column("certificate", sa.LargeBinary, nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("unit_credentials")
