"""The schema is made only by Alembic revisions: models and migrations agree, old registries upgrade and their
documents still verify, and several processes starting at once migrate safely — on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from docgen import db
from docgen.app import create_app
from docgen.documents import sample
from tests import services

pytestmark = pytest.mark.databases

SCRIPTS = ScriptDirectory(str(db.Path(db.__file__).with_name("migrations")))


def test_models_match_the_migrations(database):
    """A table or column added to a model without its revision fails here."""
    engine = db.make_engine(database)
    db.upgrade(engine)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                db.load_models().metadata)
    engine.dispose()
    assert diff == []


def _insert_issued(engine, rendered) -> None:
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO issued_documents (id, kind, title, profile, subject, format, sha256, size, issued_at) "
            "VALUES (:id, :kind, :title, :profile, :subject, :format, :sha256, :size, :issued_at)"),
            {"id": rendered.document_id, "kind": rendered.kind.slug, "title": rendered.kind.title,
             "profile": rendered.profile, "subject": rendered.subject, "format": rendered.format,
             "sha256": hashlib.sha256(rendered.content).hexdigest(), "size": len(rendered.content),
             "issued_at": dt.datetime(2024, 9, 9, tzinfo=dt.timezone.utc)})


def _verifies(tmp_path, database, rendered) -> None:
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "DATABASE_URL": database})
    try:
        info = app.test_client().post(f"/v1/verify/{rendered.document_id}", data=rendered.content,
                                      headers={"Accept": "application/json"}, content_type="application/octet-stream")
        assert info.status_code == 200, info.json
        assert info.json["content_matches"] and info.json["sha256"] == hashlib.sha256(rendered.content).hexdigest()
        assert info.json["issued_at"].startswith("2024-09-09")
        assert db.current(app.extensions["docgen"].registry.engine) == SCRIPTS.get_current_head()
    finally:
        app.extensions["docgen"].registry.engine.dispose()


def test_registry_of_the_previous_revision_upgrades_and_verifies(tmp_path, database, renderer):
    head = SCRIPTS.get_revision(SCRIPTS.get_current_head())
    previous = head.down_revision or db.FIRST_REVISION
    engine = db.make_engine(database)
    db.upgrade(engine, previous)
    rendered = renderer.render("commitment", sample("commitment"), "docx")
    _insert_issued(engine, rendered)
    engine.dispose()
    _verifies(tmp_path, database, rendered)


def test_registry_from_before_migrations_upgrades_and_verifies(tmp_path, database, renderer):
    """A registry created by create_all (no alembic_version) is taken as the first revision."""
    engine = db.make_engine(database)
    db.upgrade(engine, db.FIRST_REVISION)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
    rendered = renderer.render("commitment", sample("commitment"), "docx")
    _insert_issued(engine, rendered)
    engine.dispose()
    _verifies(tmp_path, database, rendered)


def test_several_processes_upgrade_at_once(tmp_path, database):
    env = {"DOCGEN_DATA_DIR": str(tmp_path), "DOCGEN_DATABASE_URL": database}
    procs = [services.docgen(["db", "upgrade"], env, tmp_path / f"p{i}", tmp_path / f"p{i}.log") for i in range(4)]
    codes = [p.wait(timeout=120) for p in procs]
    logs = [(tmp_path / f"p{i}.log").read_text() for i in range(4)]
    assert codes == [0] * 4, logs
    assert all(f"revision {SCRIPTS.get_current_head()}" in log for log in logs), logs
    engine = db.make_engine(database)
    assert db.current(engine) == SCRIPTS.get_current_head()
    engine.dispose()
