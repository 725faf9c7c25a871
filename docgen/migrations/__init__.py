"""Alembic revisions of docgen's schema (docgen.db.upgrade applies them)."""
