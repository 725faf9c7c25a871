"""Webhooks: a batch's webhook URL and signing key, each API key's webhook secret, and the deliveries.

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
    with op.batch_alter_table("batches") as table:
        table.add_column(sa.Column("webhook_url", sa.Text(), nullable=True))
        table.add_column(sa.Column("webhook_key", sa.String(16), nullable=True))
    with op.batch_alter_table("api_keys") as table:
        table.add_column(sa.Column("webhook_secret", sa.String(100), nullable=True))
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("batch_id", sa.String(32), sa.ForeignKey("batches.id", ondelete="CASCADE"), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("batch_id", "type", name="uq_webhook_deliveries_batch_type"),
    )
    op.create_index("ix_webhook_deliveries_batch_id", "webhook_deliveries", ["batch_id"])
    op.create_index("ix_webhook_deliveries_due", "webhook_deliveries", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_webhook_deliveries_due", "webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_batch_id", "webhook_deliveries")
    op.drop_table("webhook_deliveries")
    with op.batch_alter_table("api_keys") as table:
        table.drop_column("webhook_secret")
    with op.batch_alter_table("batches") as table:
        table.drop_column("webhook_key")
        table.drop_column("webhook_url")
