"""/readyz answers 503 naming what is missing: a font, a template, storage, the database."""
from __future__ import annotations

import shutil

from docgen.app import create_app
from docgen.render import fonts


def test_ready_when_everything_is_there(client):
    resp = client.get("/readyz")
    assert resp.status_code == 200 and resp.json["checks"]["database"] == "ok"


def test_missing_templates_not_ready(tmp_path):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "data"), "TEMPLATES_DIR": str(tmp_path / "none")})
    resp = app.test_client().get("/readyz")
    assert resp.status_code == 503 and resp.json["checks"]["template:commitment/document.html"] == "missing"


def test_missing_storage_not_ready(tmp_path):
    data = tmp_path / "data"
    app = create_app({"TESTING": True, "DATA_DIR": str(data), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
    shutil.rmtree(data)
    resp = app.test_client().get("/readyz")
    assert resp.status_code == 503 and resp.json["checks"]["storage"].startswith("not writable")


def test_missing_font_not_ready(client, monkeypatch):
    monkeypatch.setattr(fonts, "resolve", lambda face: None)
    resp = client.get("/readyz")
    assert resp.status_code == 503 and any(v.startswith("missing") for k, v in resp.json["checks"].items()
                                           if k.startswith("font:"))
