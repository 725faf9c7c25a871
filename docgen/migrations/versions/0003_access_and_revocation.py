"""API keys per unit, owners of batches and documents, revocation of issued documents.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("unit", sa.String(200), nullable=False),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_api_keys_unit", "api_keys", ["unit"])
    op.create_table(
        "owners",
        sa.Column("resource", sa.String(16), primary_key=True),
        sa.Column("resource_id", sa.String(64), primary_key=True),
        sa.Column("unit", sa.String(200), nullable=False),
    )
    op.create_index("ix_owners_unit", "owners", ["unit"])
    with op.batch_alter_table("issued_documents") as table:
        table.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("revoke_reason", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("issued_documents") as table:
        table.drop_column("revoke_reason")
        table.drop_column("revoked_at")
    op.drop_index("ix_owners_unit", "owners")
    op.drop_table("owners")
    op.drop_index("ix_api_keys_unit", "api_keys")
    op.drop_table("api_keys")
