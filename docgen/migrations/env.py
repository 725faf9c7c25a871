"""Alembic environment: runs on the connection docgen.db.upgrade hands over (it holds the migration lock)."""
from alembic import context

from docgen.db import load_models

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=load_models().metadata, render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
