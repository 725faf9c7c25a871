"""Each unit's seal image and signing certificate (its PKCS#12 encrypted with SECRET_KEY), and what a batch
seals, signs and archives as PDF/A (issue 25).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
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
    with op.batch_alter_table("batches") as table:
        table.add_column(sa.Column("marks", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("batches") as table:
        table.drop_column("marks")
    op.drop_table("unit_credentials")
