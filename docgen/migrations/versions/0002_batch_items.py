"""Durable batches: items claimed and completed in the database, idempotency keys, retention; documents
remember the batch that made them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("issued_documents") as table:
        table.add_column(sa.Column("batch_id", sa.String(32), nullable=True))
        table.create_index("ix_issued_documents_batch_id", ["batch_id"])
    with op.batch_alter_table("batches") as table:
        table.add_column(sa.Column("formats", sa.Text, nullable=False, server_default='["pdf", "docx"]'))
        table.add_column(sa.Column("idempotency_key", sa.String(200), nullable=True))
        table.add_column(sa.Column("claim", sa.String(100), nullable=True))
        table.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("files_deleted_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("files_deleted_reason", sa.String(16), nullable=True))
        table.create_unique_constraint("uq_batches_idempotency_key", ["idempotency_key"])
    op.create_table(
        "batch_items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("batch_id", sa.String(32), sa.ForeignKey("batches.id", ondelete="CASCADE"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("folder", sa.String(200), nullable=False),
        sa.Column("who", sa.String(200), nullable=False),
        sa.Column("pointer", sa.String(64), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("claim", sa.String(100), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("files", sa.Text, nullable=False),
        sa.Column("errors", sa.Text, nullable=False),
    )
    op.create_index("ix_batch_items_batch_id", "batch_items", ["batch_id"])
    op.create_index("ix_batch_items_status", "batch_items", ["status"])
    # batches from before: their files were written by the old runner; unfinished ones cannot be resumed
    op.execute("UPDATE batches SET status = 'failed', errors = '[{\"pointer\": \"\", \"detail\": "
               "\"升级前未完成的批次，请重新提交\"}]' WHERE status IN ('queued', 'running')")


def downgrade() -> None:
    op.drop_index("ix_batch_items_status", "batch_items")
    op.drop_index("ix_batch_items_batch_id", "batch_items")
    op.drop_table("batch_items")
    with op.batch_alter_table("batches") as table:
        table.drop_constraint("uq_batches_idempotency_key", type_="unique")
        for column in ("files_deleted_reason", "files_deleted_at", "expires_at", "claimed_at", "claim",
                       "idempotency_key", "formats"):
            table.drop_column(column)
    with op.batch_alter_table("issued_documents") as table:
        table.drop_index("ix_issued_documents_batch_id")
        table.drop_column("batch_id")
